-- The schema EnsureCreated made on main at 161a9a6 (2026-11-25), before migrations, with two rows in each table.
-- Kept as it is: databases made by that code must keep upgrading. Never regenerate.
CREATE TABLE "Assistants" (
    "Id" text NOT NULL,
    "OwnerId" text NOT NULL,
    "CreatedAt" bigint NOT NULL,
    "Name" text,
    "Description" text,
    "Model" text NOT NULL,
    "Instructions" text,
    "Temperature" double precision,
    "TopP" double precision,
    "MetadataJson" text NOT NULL,
    "ToolsJson" text NOT NULL,
    CONSTRAINT "PK_Assistants" PRIMARY KEY ("Id")
);


CREATE TABLE "ChatEntries" (
    "Id" text NOT NULL,
    "ChatId" text NOT NULL,
    "Username" text,
    "Message" text NOT NULL,
    "Response" text,
    "TokensIn" integer NOT NULL,
    "TokensOut" integer NOT NULL,
    "Active" boolean NOT NULL,
    "Cached" boolean NOT NULL,
    "CreatedAt" bigint NOT NULL,
    CONSTRAINT "PK_ChatEntries" PRIMARY KEY ("Id")
);


CREATE TABLE "Chats" (
    "Id" text NOT NULL,
    "OwnerId" text NOT NULL,
    "AssistantId" text NOT NULL,
    "ChannelId" text NOT NULL,
    "ChannelService" text NOT NULL,
    "Username" text,
    "ThreadId" text NOT NULL,
    "Active" boolean NOT NULL,
    "CreatedAt" bigint NOT NULL,
    "UpdatedAt" bigint NOT NULL,
    CONSTRAINT "PK_Chats" PRIMARY KEY ("Id")
);


CREATE TABLE "Messages" (
    "Id" text NOT NULL,
    "ThreadId" text NOT NULL,
    "CreatedAt" bigint NOT NULL,
    "Role" text NOT NULL,
    "Content" text NOT NULL,
    "Status" text NOT NULL,
    "AssistantId" text,
    "RunId" text,
    "CompletedAt" bigint,
    "MetadataJson" text NOT NULL,
    CONSTRAINT "PK_Messages" PRIMARY KEY ("Id")
);


CREATE TABLE "Runs" (
    "Id" text NOT NULL,
    "ThreadId" text NOT NULL,
    "AssistantId" text NOT NULL,
    "CreatedAt" bigint NOT NULL,
    "Status" text NOT NULL,
    "Model" text NOT NULL,
    "Instructions" text,
    "AdditionalInstructions" text,
    "Temperature" double precision,
    "TopP" double precision,
    "MaxCompletionTokens" integer,
    "StartedAt" bigint,
    "CompletedAt" bigint,
    "FailedAt" bigint,
    "CancelledAt" bigint,
    "LastErrorCode" text,
    "LastErrorMessage" text,
    "PromptTokens" integer,
    "CompletionTokens" integer,
    "MetadataJson" text NOT NULL,
    CONSTRAINT "PK_Runs" PRIMARY KEY ("Id")
);


CREATE TABLE "Threads" (
    "Id" text NOT NULL,
    "OwnerId" text NOT NULL,
    "CreatedAt" bigint NOT NULL,
    "MetadataJson" text NOT NULL,
    "AssistantId" text,
    "CreatedByKeyId" text,
    "ContextFingerprint" text,
    "ContextStartMessageId" text,
    CONSTRAINT "PK_Threads" PRIMARY KEY ("Id")
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
INSERT INTO "Chats" ("Id", "Active", "AssistantId", "ChannelId", "ChannelService", "CreatedAt", "OwnerId", "ThreadId", "UpdatedAt", "Username") VALUES ('chats-id-1', FALSE, 'chats-assistantid-1', 'chats-channelid-1', 'chats-channelservice-1', 1000, 'chats-ownerid-1', 'chats-threadid-1', 1000, 'chats-username-1');
INSERT INTO "Chats" ("Id", "Active", "AssistantId", "ChannelId", "ChannelService", "CreatedAt", "OwnerId", "ThreadId", "UpdatedAt", "Username") VALUES ('chats-id-2', TRUE, 'chats-assistantid-2', 'chats-channelid-2', 'chats-channelservice-2', 2000, 'chats-ownerid-2', 'chats-threadid-2', 2000, 'chats-username-2');
INSERT INTO "ChatEntries" ("Id", "Active", "Cached", "ChatId", "CreatedAt", "Message", "Response", "TokensIn", "TokensOut", "Username") VALUES ('chatentries-id-1', FALSE, FALSE, 'chatentries-chatid-1', 1000, 'chatentries-message-1', 'chatentries-response-1', 1, 1, 'chatentries-username-1');
INSERT INTO "ChatEntries" ("Id", "Active", "Cached", "ChatId", "CreatedAt", "Message", "Response", "TokensIn", "TokensOut", "Username") VALUES ('chatentries-id-2', TRUE, TRUE, 'chatentries-chatid-2', 2000, 'chatentries-message-2', 'chatentries-response-2', 2, 2, 'chatentries-username-2');
INSERT INTO "Messages" ("Id", "AssistantId", "CompletedAt", "Content", "CreatedAt", "MetadataJson", "Role", "RunId", "Status", "ThreadId") VALUES ('messages-id-1', 'messages-assistantid-1', 1000, 'messages-content-1', 1000, 'messages-metadatajson-1', 'messages-role-1', 'messages-runid-1', 'messages-status-1', 'messages-threadid-1');
INSERT INTO "Messages" ("Id", "AssistantId", "CompletedAt", "Content", "CreatedAt", "MetadataJson", "Role", "RunId", "Status", "ThreadId") VALUES ('messages-id-2', 'messages-assistantid-2', 2000, 'messages-content-2', 2000, 'messages-metadatajson-2', 'messages-role-2', 'messages-runid-2', 'messages-status-2', 'messages-threadid-2');
INSERT INTO "Runs" ("Id", "AdditionalInstructions", "AssistantId", "CancelledAt", "CompletedAt", "CompletionTokens", "CreatedAt", "FailedAt", "Instructions", "LastErrorCode", "LastErrorMessage", "MaxCompletionTokens", "MetadataJson", "Model", "PromptTokens", "StartedAt", "Status", "Temperature", "ThreadId", "TopP") VALUES ('runs-id-1', 'runs-additionalinstructions-1', 'runs-assistantid-1', 1000, 1000, 1, 1000, 1000, 'runs-instructions-1', 'runs-lasterrorcode-1', 'runs-lasterrormessage-1', 1, 'runs-metadatajson-1', 'runs-model-1', 1, 1000, 'runs-status-1', 0.5, 'runs-threadid-1', 0.5);
INSERT INTO "Runs" ("Id", "AdditionalInstructions", "AssistantId", "CancelledAt", "CompletedAt", "CompletionTokens", "CreatedAt", "FailedAt", "Instructions", "LastErrorCode", "LastErrorMessage", "MaxCompletionTokens", "MetadataJson", "Model", "PromptTokens", "StartedAt", "Status", "Temperature", "ThreadId", "TopP") VALUES ('runs-id-2', 'runs-additionalinstructions-2', 'runs-assistantid-2', 2000, 2000, 2, 2000, 2000, 'runs-instructions-2', 'runs-lasterrorcode-2', 'runs-lasterrormessage-2', 2, 'runs-metadatajson-2', 'runs-model-2', 2, 2000, 'runs-status-2', 1.0, 'runs-threadid-2', 1.0);
INSERT INTO "Threads" ("Id", "AssistantId", "ContextFingerprint", "ContextStartMessageId", "CreatedAt", "CreatedByKeyId", "MetadataJson", "OwnerId") VALUES ('threads-id-1', 'threads-assistantid-1', 'threads-contextfingerprint-1', 'threads-contextstartmessageid-1', 1000, 'threads-createdbykeyid-1', 'threads-metadatajson-1', 'threads-ownerid-1');
INSERT INTO "Threads" ("Id", "AssistantId", "ContextFingerprint", "ContextStartMessageId", "CreatedAt", "CreatedByKeyId", "MetadataJson", "OwnerId") VALUES ('threads-id-2', 'threads-assistantid-2', 'threads-contextfingerprint-2', 'threads-contextstartmessageid-2', 2000, 'threads-createdbykeyid-2', 'threads-metadatajson-2', 'threads-ownerid-2');
