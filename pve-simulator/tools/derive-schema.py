#!/usr/bin/env python3
"""Derives pve-simulator/src/main/resources/pve-schema.json from PVE's API schema.

Needs the reference file pve-apidata.json (the PVE 9.1 api-viewer schema with its JavaScript
wrapper stripped), which is not part of this repository: users never run this script, the build
uses the derived JSON that is committed. Run it only to add an endpoint or follow a new PVE:

    python3 pve-simulator/tools/derive-schema.py /path/to/pve-apidata.json

Only facts are kept (paths, methods, parameter names, types, formats, enums, limits, patterns,
optional flags, defaults that are values, return property names and types); PVE's description
texts are dropped.
"""
import json
import sys
from pathlib import Path

# Every endpoint the simulator implements: path -> methods.
ENDPOINTS = {
    "/version": ["GET"],
    "/cluster/nextid": ["GET"],
    "/cluster/resources": ["GET"],
    "/cluster/firewall/options": ["GET", "PUT"],
    "/cluster/firewall/ipset": ["GET", "POST"],
    "/cluster/firewall/ipset/{name}": ["GET", "POST", "DELETE"],
    "/cluster/firewall/ipset/{name}/{cidr}": ["GET", "PUT", "DELETE"],
    "/cluster/firewall/groups": ["GET", "POST"],
    "/cluster/firewall/groups/{group}": ["GET", "POST", "DELETE"],
    "/cluster/firewall/groups/{group}/{pos}": ["GET", "PUT", "DELETE"],
    "/nodes": ["GET"],
    "/nodes/{node}/status": ["GET"],
    "/nodes/{node}/dns": ["GET"],
    "/nodes/{node}/storage": ["GET"],
    "/nodes/{node}/tasks": ["GET"],
    "/nodes/{node}/tasks/{upid}": ["DELETE"],
    "/nodes/{node}/tasks/{upid}/status": ["GET"],
    "/nodes/{node}/tasks/{upid}/log": ["GET"],
    "/nodes/{node}/lxc": ["GET", "POST"],
    "/nodes/{node}/lxc/{vmid}": ["DELETE"],
    "/nodes/{node}/lxc/{vmid}/clone": ["POST"],
    "/nodes/{node}/lxc/{vmid}/config": ["GET", "PUT"],
    "/nodes/{node}/lxc/{vmid}/interfaces": ["GET"],
    "/nodes/{node}/lxc/{vmid}/template": ["POST"],
    "/nodes/{node}/lxc/{vmid}/status/current": ["GET"],
    "/nodes/{node}/lxc/{vmid}/status/start": ["POST"],
    "/nodes/{node}/lxc/{vmid}/status/stop": ["POST"],
    "/nodes/{node}/lxc/{vmid}/status/shutdown": ["POST"],
    "/nodes/{node}/lxc/{vmid}/status/reboot": ["POST"],
    "/nodes/{node}/lxc/{vmid}/status/suspend": ["POST"],
    "/nodes/{node}/lxc/{vmid}/status/resume": ["POST"],
    "/nodes/{node}/lxc/{vmid}/snapshot": ["GET", "POST"],
    "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}": ["DELETE"],
    "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/config": ["GET", "PUT"],
    "/nodes/{node}/lxc/{vmid}/snapshot/{snapname}/rollback": ["POST"],
    "/nodes/{node}/qemu": ["GET", "POST"],
    "/nodes/{node}/qemu/{vmid}": ["DELETE"],
    "/nodes/{node}/qemu/{vmid}/clone": ["POST"],
    "/nodes/{node}/qemu/{vmid}/config": ["GET", "PUT", "POST"],
    "/nodes/{node}/qemu/{vmid}/template": ["POST"],
    "/nodes/{node}/qemu/{vmid}/status/current": ["GET"],
    "/nodes/{node}/qemu/{vmid}/status/start": ["POST"],
    "/nodes/{node}/qemu/{vmid}/status/stop": ["POST"],
    "/nodes/{node}/qemu/{vmid}/status/shutdown": ["POST"],
    "/nodes/{node}/qemu/{vmid}/status/reboot": ["POST"],
    "/nodes/{node}/qemu/{vmid}/status/reset": ["POST"],
    "/nodes/{node}/qemu/{vmid}/status/suspend": ["POST"],
    "/nodes/{node}/qemu/{vmid}/status/resume": ["POST"],
    "/nodes/{node}/qemu/{vmid}/agent/ping": ["POST"],
    "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces": ["GET"],
    "/nodes/{node}/qemu/{vmid}/snapshot": ["GET", "POST"],
    "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}": ["DELETE"],
    "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/config": ["GET", "PUT"],
    "/nodes/{node}/qemu/{vmid}/snapshot/{snapname}/rollback": ["POST"],
}

# The firewall of a guest: the same endpoints under each guest type.
GUEST_FIREWALL = {
    "/options": ["GET", "PUT"],
    "/rules": ["GET", "POST"],
    "/rules/{pos}": ["GET", "PUT", "DELETE"],
    "/ipset": ["GET", "POST"],
    "/ipset/{name}": ["GET", "POST", "DELETE"],
    "/ipset/{name}/{cidr}": ["GET", "PUT", "DELETE"],
}
for guest in ("lxc", "qemu"):
    for sub, methods in GUEST_FIREWALL.items():
        ENDPOINTS["/nodes/{node}/" + guest + "/{vmid}/firewall" + sub] = methods

SCHEMA_FACTS = ("type", "optional", "enum", "minimum", "maximum", "minLength", "maxLength",
                "pattern", "default_key", "alias", "requires", "additionalProperties")


def facts(schema):
    """The machine-checkable part of a JSON schema node, recursively."""
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key in SCHEMA_FACTS:
        if key in schema:
            out[key] = schema[key]
    if "default" in schema and isinstance(schema["default"], (int, float)):
        out["default"] = schema["default"]
    if "default" in schema and isinstance(schema["default"], str) and " " not in schema["default"]:
        out["default"] = schema["default"]
    fmt = schema.get("format")
    if isinstance(fmt, str):
        out["format"] = fmt
    elif isinstance(fmt, dict):
        out["format"] = {name: facts(sub) for name, sub in sorted(fmt.items())}
    if "properties" in schema:
        out["properties"] = {name: facts(sub) for name, sub in sorted(schema["properties"].items())}
    if "items" in schema:
        out["items"] = facts(schema["items"])
    return out


def main():
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/pve-apidata.json")
    roots = json.loads(source.read_text())
    by_path = {}

    def walk(node):
        by_path[node["path"]] = node
        for child in node.get("children") or []:
            walk(child)

    for root in roots:
        walk(root)
    endpoints = {}
    for path, methods in ENDPOINTS.items():
        info = by_path[path]["info"]
        endpoints[path] = {}
        for method in methods:
            m = info[method]
            endpoints[path][method] = {
                "name": m["name"],
                "protected": bool(m.get("protected")),
                "allowtoken": bool(m.get("allowtoken")),
                "parameters": facts(m.get("parameters", {})),
                "returns": facts(m.get("returns", {})),
            }
    out = {
        "source": "Proxmox VE 9.1 API schema (api-viewer apidata), facts only",
        "endpoints": endpoints,
    }
    target = Path(__file__).resolve().parent.parent / "src/main/resources/pve-schema.json"
    target.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n")
    print(f"wrote {target} ({len(endpoints)} paths)")


if __name__ == "__main__":
    main()
