-- Operators, their venues and the RADIUS clients (access points, controllers) at those venues.

CREATE TABLE tenant (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    time_zone   text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE location (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint      NOT NULL REFERENCES tenant (id),
    name        text        NOT NULL,
    time_zone   text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX location_tenant_idx ON location (tenant_id, id);

-- A packet carries no tenant: the NAS is found by its source address, or by NAS-Identifier when
-- several NAS share one address (NAT, a UDP load balancer). Both must be unambiguous platform-wide.
CREATE TABLE nas (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint      NOT NULL REFERENCES tenant (id),
    location_id bigint      NOT NULL REFERENCES location (id),
    ip_address  inet        NOT NULL,
    identifier  text,
    secret      text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX nas_tenant_location_idx ON nas (tenant_id, location_id);
CREATE UNIQUE INDEX nas_ip_address_key ON nas (ip_address) WHERE identifier IS NULL;
CREATE UNIQUE INDEX nas_identifier_key ON nas (identifier) WHERE identifier IS NOT NULL;
