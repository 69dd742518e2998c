// Validates every object of a rendered multi-document YAML file against the Kubernetes schemas:
// kubernetes-models checks types, required fields and enums; on top, every field must be one the
// object's type declares (its TypeScript declarations list them), so a misspelt key fails too.
// Usage: node validate.mjs <rendered.yaml>
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';

const require = createRequire(import.meta.url);
const modelsRoot = dirname(require.resolve('kubernetes-models/package.json'));

// interface declarations: file -> { props: Map(name -> type text), imports: Map(typeName -> file) }
const declarations = new Map();
function declarationOf(file) {
  if (declarations.has(file)) return declarations.get(file);
  const text = readFileSync(file, 'utf8');
  const imports = new Map();
  for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    const target = m[2].startsWith('.') ? join(dirname(file), m[2].replace(/\.js$/, '.d.ts'))
      : resolvePackageDeclaration(m[2]);
    if (target) imports.set(m[1], target);
  }
  const body = text.match(/export interface \w+(?: extends [^{]+)? \{([\s\S]*?)\n\}/);
  const props = new Map();
  if (body) {
    // Multi-line types (maps like labels) start with "{" here; only named types are recursed into.
    for (const m of body[1].matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) props.set(m[1], m[2]);
  }
  const decl = { props, imports };
  declarations.set(file, decl);
  return decl;
}

function resolvePackageDeclaration(specifier) {
  // e.g. @kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta
  const m = specifier.match(/^(@kubernetes-models\/[^/]+)\/(.+)$/);
  if (!m) return null;
  const root = dirname(require.resolve(`${m[1]}/package.json`, { paths: [modelsRoot] }));
  const file = join(root, m[2].replace(/\.js$/, '') + '.d.ts');
  return existsSync(file) ? file : null;
}

function unknownFields(value, file, path, problems) {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !file) return;
  const { props, imports } = declarationOf(file);
  if (props.size === 0) return; // free-form (e.g. RawExtension)
  for (const [key, child] of Object.entries(value)) {
    const type = props.get(key);
    if (type === undefined) {
      problems.push(`${path}/${key}: not a field of this object`);
      continue;
    }
    const named = type.match(/^(?:Array<)?(\w+)>?$/);
    const target = named ? imports.get(named[1]) : null;
    if (!target) continue;
    if (Array.isArray(child)) child.forEach((item, i) => unknownFields(item, target, `${path}/${key}/${i}`, problems));
    else unknownFields(child, target, `${path}/${key}`, problems);
  }
}

const file = process.argv[2];
const docs = yaml.loadAll(readFileSync(file, 'utf8')).filter(Boolean);
let failures = 0;
for (const doc of docs) {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : [null, doc.apiVersion];
  const dir = group ? `${group}/${version}` : version;
  const name = `${doc.kind}/${doc.metadata?.name}`;
  let Model;
  try {
    Model = (await import(`kubernetes-models/${dir}/${doc.kind}`))[doc.kind];
  } catch (e) {
    console.error(`${file}: ${name}: unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`);
    failures++;
    continue;
  }
  const problems = [];
  try {
    new Model(doc).validate();
  } catch (e) {
    problems.push(e.message);
  }
  unknownFields(doc, join(modelsRoot, dir, `${doc.kind}.d.ts`), '', problems);
  for (const p of problems) console.error(`${file}: ${name}: ${p}`);
  failures += problems.length;
}
console.log(`${file}: ${docs.length} objects, ${failures} problem(s)`);
process.exit(failures === 0 ? 0 : 1);
