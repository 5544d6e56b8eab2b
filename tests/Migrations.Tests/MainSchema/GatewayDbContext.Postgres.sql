-- The schema EnsureCreated made on main at 161a9a6 (2026-11-25), before migrations, with two rows in each table.
-- Kept as it is: databases made by that code must keep upgrading. Never regenerate.
CREATE TABLE "ApiKeys" (
    "Id" text NOT NULL,
    "UserId" text NOT NULL,
    "Name" text NOT NULL,
    "SecretHash" text NOT NULL,
    "Prefix" text NOT NULL,
    "Assistants" text,
    "Rpm" integer,
    "Tpm" integer,
    "CreatedAt" bigint NOT NULL,
    "RevokedAt" bigint,
    CONSTRAINT "PK_ApiKeys" PRIMARY KEY ("Id")
);


CREATE TABLE "RefreshTokens" (
    "Id" text NOT NULL,
    "UserId" text NOT NULL,
    "FamilyId" text NOT NULL,
    "TokenHash" text NOT NULL,
    "CreatedAt" bigint NOT NULL,
    "ExpiresAt" bigint NOT NULL,
    "UsedAt" bigint,
    "RevokedAt" bigint,
    CONSTRAINT "PK_RefreshTokens" PRIMARY KEY ("Id")
);


CREATE TABLE "Users" (
    "Id" text NOT NULL,
    "Name" character varying(100) NOT NULL,
    "Email" character varying(254) NOT NULL,
    "PasswordHash" text NOT NULL,
    "CreatedAt" bigint NOT NULL,
    CONSTRAINT "PK_Users" PRIMARY KEY ("Id")
);


CREATE UNIQUE INDEX "IX_ApiKeys_SecretHash" ON "ApiKeys" ("SecretHash");


CREATE INDEX "IX_ApiKeys_UserId" ON "ApiKeys" ("UserId");


CREATE INDEX "IX_RefreshTokens_FamilyId" ON "RefreshTokens" ("FamilyId");


CREATE UNIQUE INDEX "IX_RefreshTokens_TokenHash" ON "RefreshTokens" ("TokenHash");


CREATE UNIQUE INDEX "IX_Users_Email" ON "Users" ("Email");



INSERT INTO "ApiKeys" ("Id", "Assistants", "CreatedAt", "Name", "Prefix", "RevokedAt", "Rpm", "SecretHash", "Tpm", "UserId") VALUES ('apikeys-id-1', 'apikeys-assistants-1', 1000, 'apikeys-name-1', 'apikeys-prefix-1', 1000, 1, 'apikeys-secrethash-1', 1, 'apikeys-userid-1');
INSERT INTO "ApiKeys" ("Id", "Assistants", "CreatedAt", "Name", "Prefix", "RevokedAt", "Rpm", "SecretHash", "Tpm", "UserId") VALUES ('apikeys-id-2', 'apikeys-assistants-2', 2000, 'apikeys-name-2', 'apikeys-prefix-2', 2000, 2, 'apikeys-secrethash-2', 2, 'apikeys-userid-2');
INSERT INTO "RefreshTokens" ("Id", "CreatedAt", "ExpiresAt", "FamilyId", "RevokedAt", "TokenHash", "UsedAt", "UserId") VALUES ('refreshtokens-id-1', 1000, 1000, 'refreshtokens-familyid-1', 1000, 'refreshtokens-tokenhash-1', 1000, 'refreshtokens-userid-1');
INSERT INTO "RefreshTokens" ("Id", "CreatedAt", "ExpiresAt", "FamilyId", "RevokedAt", "TokenHash", "UsedAt", "UserId") VALUES ('refreshtokens-id-2', 2000, 2000, 'refreshtokens-familyid-2', 2000, 'refreshtokens-tokenhash-2', 2000, 'refreshtokens-userid-2');
INSERT INTO "Users" ("Id", "CreatedAt", "Email", "Name", "PasswordHash") VALUES ('users-id-1', 1000, 'users-email-1', 'users-name-1', 'users-passwordhash-1');
INSERT INTO "Users" ("Id", "CreatedAt", "Email", "Name", "PasswordHash") VALUES ('users-id-2', 2000, 'users-email-2', 'users-name-2', 'users-passwordhash-2');
