-- The schema EnsureCreated made on main at 161a9a6 (2026-11-25), before migrations, with two rows in each table.
-- Kept as it is: databases made by that code must keep upgrading. Never regenerate.
CREATE TABLE "Assistants" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Assistants" PRIMARY KEY,
    "OwnerId" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "Name" TEXT NULL,
    "Description" TEXT NULL,
    "Model" TEXT NOT NULL,
    "Instructions" TEXT NULL,
    "Temperature" REAL NULL,
    "TopP" REAL NULL,
    "MetadataJson" TEXT NOT NULL,
    "ToolsJson" TEXT NOT NULL
);


CREATE TABLE "ChatEntries" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ChatEntries" PRIMARY KEY,
    "ChatId" TEXT NOT NULL,
    "Username" TEXT NULL,
    "Message" TEXT NOT NULL,
    "Response" TEXT NULL,
    "TokensIn" INTEGER NOT NULL,
    "TokensOut" INTEGER NOT NULL,
    "Active" INTEGER NOT NULL,
    "Cached" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL
);


CREATE TABLE "Chats" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Chats" PRIMARY KEY,
    "OwnerId" TEXT NOT NULL,
    "AssistantId" TEXT NOT NULL,
    "ChannelId" TEXT NOT NULL,
    "ChannelService" TEXT NOT NULL,
    "Username" TEXT NULL,
    "ThreadId" TEXT NOT NULL,
    "Active" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);


CREATE TABLE "Messages" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Messages" PRIMARY KEY,
    "ThreadId" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "Role" TEXT NOT NULL,
    "Content" TEXT NOT NULL,
    "Status" TEXT NOT NULL,
    "AssistantId" TEXT NULL,
    "RunId" TEXT NULL,
    "CompletedAt" INTEGER NULL,
    "MetadataJson" TEXT NOT NULL
);


CREATE TABLE "Runs" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Runs" PRIMARY KEY,
    "ThreadId" TEXT NOT NULL,
    "AssistantId" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "Status" TEXT NOT NULL,
    "Model" TEXT NOT NULL,
    "Instructions" TEXT NULL,
    "AdditionalInstructions" TEXT NULL,
    "Temperature" REAL NULL,
    "TopP" REAL NULL,
    "MaxCompletionTokens" INTEGER NULL,
    "StartedAt" INTEGER NULL,
    "CompletedAt" INTEGER NULL,
    "FailedAt" INTEGER NULL,
    "CancelledAt" INTEGER NULL,
    "LastErrorCode" TEXT NULL,
    "LastErrorMessage" TEXT NULL,
    "PromptTokens" INTEGER NULL,
    "CompletionTokens" INTEGER NULL,
    "MetadataJson" TEXT NOT NULL
);


CREATE TABLE "Threads" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Threads" PRIMARY KEY,
    "OwnerId" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "MetadataJson" TEXT NOT NULL,
    "AssistantId" TEXT NULL,
    "CreatedByKeyId" TEXT NULL,
    "ContextFingerprint" TEXT NULL,
    "ContextStartMessageId" TEXT NULL
);


CREATE INDEX "IX_Assistants_OwnerId_Id" ON "Assistants" ("OwnerId", "Id");


CREATE INDEX "IX_ChatEntries_ChatId_Id" ON "ChatEntries" ("ChatId", "Id");


CREATE UNIQUE INDEX "IX_Chats_AssistantId_ChannelService_ChannelId" ON "Chats" ("AssistantId", "ChannelService", "ChannelId");


CREATE INDEX "IX_Chats_OwnerId_Id" ON "Chats" ("OwnerId", "Id");


CREATE INDEX "IX_Messages_ThreadId_Id" ON "Messages" ("ThreadId", "Id");


CREATE INDEX "IX_Runs_ThreadId_Id" ON "Runs" ("ThreadId", "Id");


CREATE INDEX "IX_Threads_OwnerId_Id" ON "Threads" ("OwnerId", "Id");



INSERT INTO "Assistants" ("Id", "CreatedAt", "Description", "Instructions", "MetadataJson", "Model", "Name", "OwnerId", "Temperature", "ToolsJson", "TopP") VALUES ('assistants-id-1', 1000, 'assistants-description-1', 'assistants-instructions-1', 'assistants-metadatajson-1', 'assistants-model-1', 'assistants-name-1', 'assistants-ownerid-1', 0.5, 'assistants-toolsjson-1', 0.5);
INSERT INTO "Assistants" ("Id", "CreatedAt", "Description", "Instructions", "MetadataJson", "Model", "Name", "OwnerId", "Temperature", "ToolsJson", "TopP") VALUES ('assistants-id-2', 2000, 'assistants-description-2', 'assistants-instructions-2', 'assistants-metadatajson-2', 'assistants-model-2', 'assistants-name-2', 'assistants-ownerid-2', 1.0, 'assistants-toolsjson-2', 1.0);
INSERT INTO "Chats" ("Id", "Active", "AssistantId", "ChannelId", "ChannelService", "CreatedAt", "OwnerId", "ThreadId", "UpdatedAt", "Username") VALUES ('chats-id-1', 0, 'chats-assistantid-1', 'chats-channelid-1', 'chats-channelservice-1', 1000, 'chats-ownerid-1', 'chats-threadid-1', 1000, 'chats-username-1');
INSERT INTO "Chats" ("Id", "Active", "AssistantId", "ChannelId", "ChannelService", "CreatedAt", "OwnerId", "ThreadId", "UpdatedAt", "Username") VALUES ('chats-id-2', 1, 'chats-assistantid-2', 'chats-channelid-2', 'chats-channelservice-2', 2000, 'chats-ownerid-2', 'chats-threadid-2', 2000, 'chats-username-2');
INSERT INTO "ChatEntries" ("Id", "Active", "Cached", "ChatId", "CreatedAt", "Message", "Response", "TokensIn", "TokensOut", "Username") VALUES ('chatentries-id-1', 0, 0, 'chatentries-chatid-1', 1000, 'chatentries-message-1', 'chatentries-response-1', 1, 1, 'chatentries-username-1');
INSERT INTO "ChatEntries" ("Id", "Active", "Cached", "ChatId", "CreatedAt", "Message", "Response", "TokensIn", "TokensOut", "Username") VALUES ('chatentries-id-2', 1, 1, 'chatentries-chatid-2', 2000, 'chatentries-message-2', 'chatentries-response-2', 2, 2, 'chatentries-username-2');
INSERT INTO "Messages" ("Id", "AssistantId", "CompletedAt", "Content", "CreatedAt", "MetadataJson", "Role", "RunId", "Status", "ThreadId") VALUES ('messages-id-1', 'messages-assistantid-1', 1000, 'messages-content-1', 1000, 'messages-metadatajson-1', 'messages-role-1', 'messages-runid-1', 'messages-status-1', 'messages-threadid-1');
INSERT INTO "Messages" ("Id", "AssistantId", "CompletedAt", "Content", "CreatedAt", "MetadataJson", "Role", "RunId", "Status", "ThreadId") VALUES ('messages-id-2', 'messages-assistantid-2', 2000, 'messages-content-2', 2000, 'messages-metadatajson-2', 'messages-role-2', 'messages-runid-2', 'messages-status-2', 'messages-threadid-2');
INSERT INTO "Runs" ("Id", "AdditionalInstructions", "AssistantId", "CancelledAt", "CompletedAt", "CompletionTokens", "CreatedAt", "FailedAt", "Instructions", "LastErrorCode", "LastErrorMessage", "MaxCompletionTokens", "MetadataJson", "Model", "PromptTokens", "StartedAt", "Status", "Temperature", "ThreadId", "TopP") VALUES ('runs-id-1', 'runs-additionalinstructions-1', 'runs-assistantid-1', 1000, 1000, 1, 1000, 1000, 'runs-instructions-1', 'runs-lasterrorcode-1', 'runs-lasterrormessage-1', 1, 'runs-metadatajson-1', 'runs-model-1', 1, 1000, 'runs-status-1', 0.5, 'runs-threadid-1', 0.5);
INSERT INTO "Runs" ("Id", "AdditionalInstructions", "AssistantId", "CancelledAt", "CompletedAt", "CompletionTokens", "CreatedAt", "FailedAt", "Instructions", "LastErrorCode", "LastErrorMessage", "MaxCompletionTokens", "MetadataJson", "Model", "PromptTokens", "StartedAt", "Status", "Temperature", "ThreadId", "TopP") VALUES ('runs-id-2', 'runs-additionalinstructions-2', 'runs-assistantid-2', 2000, 2000, 2, 2000, 2000, 'runs-instructions-2', 'runs-lasterrorcode-2', 'runs-lasterrormessage-2', 2, 'runs-metadatajson-2', 'runs-model-2', 2, 2000, 'runs-status-2', 1.0, 'runs-threadid-2', 1.0);
INSERT INTO "Threads" ("Id", "AssistantId", "ContextFingerprint", "ContextStartMessageId", "CreatedAt", "CreatedByKeyId", "MetadataJson", "OwnerId") VALUES ('threads-id-1', 'threads-assistantid-1', 'threads-contextfingerprint-1', 'threads-contextstartmessageid-1', 1000, 'threads-createdbykeyid-1', 'threads-metadatajson-1', 'threads-ownerid-1');
INSERT INTO "Threads" ("Id", "AssistantId", "ContextFingerprint", "ContextStartMessageId", "CreatedAt", "CreatedByKeyId", "MetadataJson", "OwnerId") VALUES ('threads-id-2', 'threads-assistantid-2', 'threads-contextfingerprint-2', 'threads-contextstartmessageid-2', 2000, 'threads-createdbykeyid-2', 'threads-metadatajson-2', 'threads-ownerid-2');
