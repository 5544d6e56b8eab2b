using System.Data.Common;
using System.Text;
using DocumentService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DocumentService.Services;

/// <summary>
/// Inserts chunks with multi-row INSERTs on the context's connection and transaction. A 2 MB document makes about
/// 3,000 chunks; through the change tracker that took seconds, this takes a fraction. Table and column names come
/// from the EF model, and the SQL (quoted identifiers, @parameters) is the same on SQLite and PostgreSQL.
/// </summary>
public static class ChunkWriter
{
    private const int RowsPerStatement = 200;

    public static async Task InsertAsync(DocumentsDbContext db, IReadOnlyList<Chunk> chunks, CancellationToken cancellationToken)
    {
        if (chunks.Count == 0)
        {
            return;
        }
        var entity = db.Model.FindEntityType(typeof(Chunk))!;
        var table = entity.GetTableName()!;
        string Column(string property) => "\"" + entity.FindProperty(property)!.GetColumnName() + "\"";
        var columns = string.Join(", ", new[] { nameof(Chunk.DocumentId), nameof(Chunk.AssistantId), nameof(Chunk.ChunkIndex), nameof(Chunk.Text), nameof(Chunk.Embedding), nameof(Chunk.EmbeddingModel) }.Select(Column));

        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Chunks are written inside the document's transaction.");

        foreach (var batch in chunks.Chunk(RowsPerStatement))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder($"INSERT INTO \"{table}\" ({columns}) VALUES ");
            for (var i = 0; i < batch.Length; i++)
            {
                sql.Append(i == 0 ? "" : ", ").Append($"(@d{i}, @a{i}, @i{i}, @t{i}, @e{i}, @m{i})");
                Add(command, $"@d{i}", batch[i].DocumentId);
                Add(command, $"@a{i}", batch[i].AssistantId);
                Add(command, $"@i{i}", batch[i].ChunkIndex);
                Add(command, $"@t{i}", batch[i].Text);
                Add(command, $"@e{i}", batch[i].Embedding);
                Add(command, $"@m{i}", batch[i].EmbeddingModel);
            }
            command.CommandText = sql.ToString();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
