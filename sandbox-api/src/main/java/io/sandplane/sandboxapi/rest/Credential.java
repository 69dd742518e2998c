package io.sandplane.sandboxapi.rest;

/** What a caller presents as {@code Authorization: Bearer …} to use an endpoint ({@link CalledWith}). */
public enum Credential {
    /** A team's API key: the endpoint acts for that team ({@code CurrentCaller}). */
    TEAM_KEY,
    /** {@code SANDPLANE_OPERATOR_TOKEN}. */
    OPERATOR_TOKEN,
    /** Nothing: configuration and health, open to anyone who reaches the API. */
    NONE
}
