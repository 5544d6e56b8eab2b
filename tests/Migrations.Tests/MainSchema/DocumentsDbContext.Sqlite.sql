-- The schema EnsureCreated made on main at 161a9a6 (2026-11-25), before migrations, with two rows in each table.
-- Kept as it is: databases made by that code must keep upgrading. Never regenerate.
CREATE TABLE "chunks" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_chunks" PRIMARY KEY AUTOINCREMENT,
    "DocumentId" TEXT NOT NULL,
    "AssistantId" TEXT NOT NULL,
    "ChunkIndex" INTEGER NOT NULL,
    "Text" TEXT NOT NULL,
    "Embedding" BLOB NOT NULL,
    "EmbeddingModel" TEXT NOT NULL
);


CREATE TABLE "documents" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_documents" PRIMARY KEY,
    "OwnerId" TEXT NOT NULL,
    "AssistantId" TEXT NULL,
    "CreatedByKeyId" TEXT NULL,
    "Kind" TEXT NOT NULL,
    "Filename" TEXT NOT NULL,
    "ContentType" TEXT NOT NULL,
    "Bytes" INTEGER NOT NULL,
    "Version" INTEGER NOT NULL,
    "BlobKey" TEXT NOT NULL,
    "Text" TEXT NULL,
    "ChunkCount" INTEGER NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);


CREATE TABLE "knowledge_states" (
    "AssistantId" TEXT NOT NULL CONSTRAINT "PK_knowledge_states" PRIMARY KEY,
    "Version" INTEGER NOT NULL
);


CREATE INDEX "IX_chunks_AssistantId" ON "chunks" ("AssistantId");


CREATE INDEX "IX_chunks_DocumentId" ON "chunks" ("DocumentId");


CREATE INDEX "IX_documents_AssistantId_CreatedAt" ON "documents" ("AssistantId", "CreatedAt");


CREATE INDEX "IX_documents_OwnerId_CreatedAt" ON "documents" ("OwnerId", "CreatedAt");



INSERT INTO "chunks" ("Id", "AssistantId", "ChunkIndex", "DocumentId", "Embedding", "EmbeddingModel", "Text") VALUES (1000, 'chunks-assistantid-1', 1, 'chunks-documentid-1', X'01020301', 'chunks-embeddingmodel-1', 'chunks-text-1');
INSERT INTO "chunks" ("Id", "AssistantId", "ChunkIndex", "DocumentId", "Embedding", "EmbeddingModel", "Text") VALUES (2000, 'chunks-assistantid-2', 2, 'chunks-documentid-2', X'01020302', 'chunks-embeddingmodel-2', 'chunks-text-2');
INSERT INTO "documents" ("Id", "AssistantId", "BlobKey", "Bytes", "ChunkCount", "ContentType", "CreatedAt", "CreatedByKeyId", "Filename", "Kind", "OwnerId", "Text", "UpdatedAt", "Version") VALUES ('documents-id-1', 'documents-assistantid-1', 'documents-blobkey-1', 1000, 1, 'documents-contenttype-1', 1000, 'documents-createdbykeyid-1', 'documents-filename-1', 'documents-kind-1', 'documents-ownerid-1', 'documents-text-1', 1000, 1);
INSERT INTO "documents" ("Id", "AssistantId", "BlobKey", "Bytes", "ChunkCount", "ContentType", "CreatedAt", "CreatedByKeyId", "Filename", "Kind", "OwnerId", "Text", "UpdatedAt", "Version") VALUES ('documents-id-2', 'documents-assistantid-2', 'documents-blobkey-2', 2000, 2, 'documents-contenttype-2', 2000, 'documents-createdbykeyid-2', 'documents-filename-2', 'documents-kind-2', 'documents-ownerid-2', 'documents-text-2', 2000, 2);
INSERT INTO "knowledge_states" ("AssistantId", "Version") VALUES ('knowledge_states-assistantid-1', 1000);
INSERT INTO "knowledge_states" ("AssistantId", "Version") VALUES ('knowledge_states-assistantid-2', 2000);
