using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;

namespace ServiceDefaults.Data;

/// <summary>
/// Databases made before migrations (by EnsureCreated) have the tables but no migrations history. When their tables
/// and columns are exactly those the first migration creates, that migration is recorded as applied, so the later
/// ones run on the data in place; a database that matches neither is refused rather than guessed at.
/// </summary>
internal static class EnsureCreatedBaseline
{
    /// <summary>The id of the migration recorded as applied, or null when there was nothing to baseline.</summary>
    public static async Task<string?> ApplyAsync(DbContext db, CancellationToken cancellationToken)
    {
        var history = db.GetService<IHistoryRepository>();
        // Looked up directly: Npgsql's IHistoryRepository.ExistsAsync answers true for a database without the table.
        var relational = RelationalOptionsExtension.Extract(db.GetService<IDbContextOptions>());
        var historyTable = relational.MigrationsHistoryTableName ?? HistoryRepository.DefaultTableName;
        if (await ColumnsOfAsync(db, historyTable, relational.MigrationsHistoryTableSchema, cancellationToken).ConfigureAwait(false) is not null)
        {
            return null;
        }
        var migrations = db.GetService<IMigrationsAssembly>();
        if (migrations.Migrations.Count == 0)
        {
            return null;
        }
        var (firstId, firstType) = migrations.Migrations.First();
        var first = migrations.CreateMigration(firstType, db.Database.ProviderName!);
        var tables = first.UpOperations.OfType<CreateTableOperation>().ToList();

        var found = new Dictionary<string, IReadOnlyList<string>?>();
        foreach (var table in tables)
        {
            found[table.Name] = await ColumnsOfAsync(db, table.Name, table.Schema, cancellationToken).ConfigureAwait(false);
        }
        if (found.Values.All(columns => columns is null))
        {
            return null; // an empty database: the migrations create everything
        }
        var differences = tables
            .Select(t => Difference(t, found[t.Name]))
            .Where(d => d is not null)
            .ToList();
        if (differences.Count > 0)
        {
            throw new InvalidOperationException(
                $"{db.GetType().Name}: the database has tables but no migrations history, and its schema is not the one " +
                $"migration {firstId} creates ({string.Join("; ", differences)}). Upgrade it by hand or start from an empty database.");
        }

        try
        {
            await history.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync(
                history.GetInsertScript(new HistoryRow(firstId, ProductInfo.GetVersion())), cancellationToken).ConfigureAwait(false);
        }
        catch (DbException)
        {
            // Another instance of the service may have baselined the same database at the same moment.
            var applied = await history.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false);
            if (!applied.Any(r => r.MigrationId == firstId))
            {
                throw;
            }
        }
        return firstId;
    }

    private static string? Difference(CreateTableOperation table, IReadOnlyList<string>? actual)
    {
        if (actual is null)
        {
            return $"table {table.Name} is missing";
        }
        var expected = table.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        return missing.Count == 0 && extra.Count == 0
            ? null
            : $"table {table.Name}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]";
    }

    /// <summary>The column names of a table, or null when it does not exist; provider-neutral: an empty SELECT.</summary>
    private static async Task<IReadOnlyList<string>?> ColumnsOfAsync(DbContext db, string table, string? schema, CancellationToken cancellationToken)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var connection = db.Database.GetDbConnection();
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {sql.DelimitIdentifier(table, schema)} WHERE 1 = 0";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        }
        catch (DbException)
        {
            return null;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }
}
