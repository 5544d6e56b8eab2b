-- The schema EnsureCreated made on main at 161a9a6 (2026-11-25), before migrations, with two rows in each table.
-- Kept as it is: databases made by that code must keep upgrading. Never regenerate.
CREATE TABLE "IntentSets" (
    "AssistantId" character varying(128) NOT NULL,
    "OwnerId" character varying(200) NOT NULL,
    "Threshold" double precision,
    "IntentsJson" text NOT NULL,
    "Revision" integer NOT NULL,
    "UpdatedAt" bigint NOT NULL,
    CONSTRAINT "PK_IntentSets" PRIMARY KEY ("AssistantId")
);


CREATE INDEX "IX_IntentSets_OwnerId" ON "IntentSets" ("OwnerId");



INSERT INTO "IntentSets" ("AssistantId", "IntentsJson", "OwnerId", "Revision", "Threshold", "UpdatedAt") VALUES ('intentsets-assistantid-1', 'intentsets-intentsjson-1', 'intentsets-ownerid-1', 1, 0.5, 1000);
INSERT INTO "IntentSets" ("AssistantId", "IntentsJson", "OwnerId", "Revision", "Threshold", "UpdatedAt") VALUES ('intentsets-assistantid-2', 'intentsets-intentsjson-2', 'intentsets-ownerid-2', 2, 1.0, 2000);
