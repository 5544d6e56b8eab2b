-- The schema EnsureCreated made on main at 161a9a6 (2026-11-25), before migrations, with two rows in each table.
-- Kept as it is: databases made by that code must keep upgrading. Never regenerate.
CREATE TABLE "IntentSets" (
    "AssistantId" TEXT NOT NULL CONSTRAINT "PK_IntentSets" PRIMARY KEY,
    "OwnerId" TEXT NOT NULL,
    "Threshold" REAL NULL,
    "IntentsJson" TEXT NOT NULL,
    "Revision" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);


CREATE INDEX "IX_IntentSets_OwnerId" ON "IntentSets" ("OwnerId");



INSERT INTO "IntentSets" ("AssistantId", "IntentsJson", "OwnerId", "Revision", "Threshold", "UpdatedAt") VALUES ('intentsets-assistantid-1', 'intentsets-intentsjson-1', 'intentsets-ownerid-1', 1, 0.5, 1000);
INSERT INTO "IntentSets" ("AssistantId", "IntentsJson", "OwnerId", "Revision", "Threshold", "UpdatedAt") VALUES ('intentsets-assistantid-2', 'intentsets-intentsjson-2', 'intentsets-ownerid-2', 2, 1.0, 2000);
