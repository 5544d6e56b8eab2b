-- The schema EnsureCreated made on main at 161a9a6 (2026-11-25), before migrations, with two rows in each table.
-- Kept as it is: databases made by that code must keep upgrading. Never regenerate.
CREATE TABLE "ApiKeys" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ApiKeys" PRIMARY KEY,
    "UserId" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "SecretHash" TEXT NOT NULL,
    "Prefix" TEXT NOT NULL,
    "Assistants" TEXT NULL,
    "Rpm" INTEGER NULL,
    "Tpm" INTEGER NULL,
    "CreatedAt" INTEGER NOT NULL,
    "RevokedAt" INTEGER NULL
);


CREATE TABLE "RefreshTokens" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_RefreshTokens" PRIMARY KEY,
    "UserId" TEXT NOT NULL,
    "FamilyId" TEXT NOT NULL,
    "TokenHash" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "ExpiresAt" INTEGER NOT NULL,
    "UsedAt" INTEGER NULL,
    "RevokedAt" INTEGER NULL
);


CREATE TABLE "Users" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Users" PRIMARY KEY,
    "Name" TEXT NOT NULL,
    "Email" TEXT NOT NULL,
    "PasswordHash" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL
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
