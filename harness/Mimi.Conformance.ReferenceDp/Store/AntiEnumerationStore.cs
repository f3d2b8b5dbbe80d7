using Microsoft.Data.Sqlite;

namespace Mimi.Conformance.ReferenceDp.Store;

/// <summary>Outcome of charging one unit against a per-client window.</summary>
internal sealed record QuotaDecision(bool Allowed, long RetryAfterSeconds, int Used);

/// <summary>
/// Anti-enumeration state in the DP's SQLite file: registered client credentials, per-client windows (token issuance
/// allowance, identified lookups) and spent token nonces (double-spend prevention, RFC 9577 §2.2). A window starts at
/// a client's first charge and lasts its length; the next charge after it opens a new one.
/// </summary>
internal sealed class AntiEnumerationStore
{
    private readonly string _connectionString;
    private readonly Lock _writeLock = new();

    public AntiEnumerationStore(string dataDirectory)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, MappingStore.FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var c = Open();
        Execute(c, """
            CREATE TABLE IF NOT EXISTS ae_clients (credential TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS ae_windows (kind TEXT NOT NULL, credential TEXT NOT NULL, window_start INTEGER NOT NULL,
                used INTEGER NOT NULL, PRIMARY KEY (kind, credential));
            CREATE TABLE IF NOT EXISTS ae_spent (nonce BLOB PRIMARY KEY, spent_at INTEGER NOT NULL);
            """);
    }

    public void RegisterClient(string credential, long now)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var cmd = Command(c, "INSERT OR IGNORE INTO ae_clients (credential, created_at) VALUES ($c, $t);", ("$c", credential), ("$t", now));
            cmd.ExecuteNonQuery();
        }
    }

    public bool IsClient(string credential)
    {
        using var c = Open();
        using var cmd = Command(c, "SELECT 1 FROM ae_clients WHERE credential = $c;", ("$c", credential));
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>
    /// Charges one unit to (kind, client) unless the window's limit is reached; Retry-After is the window's remaining
    /// time. A window starts at the client's first request (PROFILE.md §10.2); <paramref name="fixedBoundaries"/>, a
    /// fault's, puts every window on multiples of <paramref name="windowSeconds"/> instead.
    /// </summary>
    public QuotaDecision Charge(string kind, string credential, int limit, long windowSeconds, long now, bool enforce, bool fixedBoundaries = false)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            var start = fixedBoundaries ? now - (now % windowSeconds) : now;
            var used = 0;
            using (var read = Command(c, "SELECT window_start, used FROM ae_windows WHERE kind = $k AND credential = $c;", ("$k", kind), ("$c", credential)))
            {
                read.Transaction = tx;
                using var r = read.ExecuteReader();
                if (r.Read() && (fixedBoundaries ? r.GetInt64(0) == start : now < r.GetInt64(0) + windowSeconds && now >= r.GetInt64(0)))
                {
                    start = r.GetInt64(0);
                    used = r.GetInt32(1);
                }
            }
            if (enforce && used >= limit)
                return new QuotaDecision(false, Math.Max(1, start + windowSeconds - now), used);
            using var write = Command(c, "INSERT OR REPLACE INTO ae_windows (kind, credential, window_start, used) VALUES ($k, $c, $s, $u);",
                ("$k", kind), ("$c", credential), ("$s", start), ("$u", used + 1));
            write.Transaction = tx;
            write.ExecuteNonQuery();
            tx.Commit();
            return new QuotaDecision(true, 0, used + 1);
        }
    }

    /// <summary>Records a token nonce as spent; false when it was spent before.</summary>
    public bool TrySpend(byte[] nonce, long now)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var cmd = Command(c, "INSERT OR IGNORE INTO ae_spent (nonce, spent_at) VALUES ($n, $t);", ("$n", nonce), ("$t", now));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    public void Reset()
    {
        lock (_writeLock)
        {
            using var c = Open();
            Execute(c, "DELETE FROM ae_clients; DELETE FROM ae_windows; DELETE FROM ae_spent;");
        }
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // WAL + NORMAL: a process crash loses nothing committed; only an OS crash can lose the last transactions.
        Execute(c, "PRAGMA synchronous=NORMAL;");
        return c;
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection c, string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }
}
