using Microsoft.Data.Sqlite;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.ReferenceDp.Store;

/// <summary>A mapping as stored: the exact countersigned COSE bytes plus the columns lookups filter and order by.</summary>
internal sealed record StoredMapping(string Id, long Seq, string Csi, string CsiType, byte[] Cose, bool Removed, long PublishedAt, long ExpiresAt)
{
    /// <summary>The credential's assigned_at (PROFILE.md §12.1: the holder); null for rows stored without one (seeded load).</summary>
    public long? AssignedAt { get; init; }
}

/// <summary>
/// What the lifecycle rules (PROFILE.md §12.2) say about a new mapping, given the CSI's live mappings and its
/// assignment floor: refuse it with a problem, or accept it after removing <see cref="Invalidate"/>.
/// </summary>
internal sealed record PrecedenceDecision(string? Problem, string? Detail, IReadOnlyList<string> Invalidate, long? RaiseFloorTo)
{
    public static PrecedenceDecision Accept { get; } = new(null, null, [], null);
}

internal enum PublishState
{
    Inserted,
    AlreadyLive,
    Replayed,
    Refused,
}

internal sealed record PublishOutcome(PublishState State, StoredMapping Mapping)
{
    /// <summary>The lifecycle decision taken (Refused: why; Inserted: what it invalidated).</summary>
    public PrecedenceDecision Decision { get; init; } = PrecedenceDecision.Accept;
}

internal enum RemoveState
{
    Removed,
    Replayed,
    NothingHeld,
}

internal sealed record RemoveOutcome(RemoveState State, IReadOnlyList<string> Ids);

/// <summary>
/// A removal to carry out: the live mappings of a CSI that <see cref="Target"/> selects. Disconnect notices and
/// invalidations (PROFILE.md §12.3, §12.5) succeed even when nothing matches, and raise the CSI's assignment floor.
/// </summary>
internal sealed record RemovalCommand(byte[] Nonce, long Now, string Csi, string CsiType, Func<StoredMapping, bool> Target, bool SucceedsWhenNothingMatches = false, long? RaiseFloorTo = null)
{
    /// <summary>One mapping by id, or every live mapping of the CSI.</summary>
    public static Func<StoredMapping, bool> MappingOrAll(string? mappingId) => m => mappingId is null || m.Id == mappingId;
}

/// <summary>
/// SQLite persistence. WAL + synchronous=FULL so an acknowledged write survives kill -9: every method returns only
/// after its transaction committed. One pooled connection per operation; writes are serialised in-process so
/// "check then insert" sequences (idempotent publish, nonce + removal) are atomic without retry loops.
/// </summary>
internal sealed class MappingStore : IDisposable
{
    public const string FileName = "dp.sqlite";

    private readonly string _connectionString;
    private readonly Lock _writeLock = new();

    public MappingStore(string dataDirectory)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var c = Open();
        Execute(c, "PRAGMA journal_mode=WAL;");
        Execute(c, """
            CREATE TABLE IF NOT EXISTS mappings (
                id TEXT PRIMARY KEY,
                seq INTEGER NOT NULL UNIQUE,
                csi TEXT NOT NULL,
                csi_type TEXT NOT NULL,
                cose BLOB NOT NULL,
                removed INTEGER NOT NULL DEFAULT 0,
                published_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                assigned_at INTEGER);
            CREATE INDEX IF NOT EXISTS ix_mappings_csi ON mappings (csi, csi_type, removed, seq);
            CREATE TABLE IF NOT EXISTS nonces (
                nonce BLOB PRIMARY KEY,
                seen_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS trusted_keys (
                role TEXT NOT NULL,
                owner TEXT NOT NULL,
                public_key BLOB NOT NULL,
                PRIMARY KEY (role, owner, public_key));
            CREATE TABLE IF NOT EXISTS csi_floors (
                csi TEXT NOT NULL,
                csi_type TEXT NOT NULL,
                floor INTEGER NOT NULL,
                PRIMARY KEY (csi, csi_type));
            CREATE TABLE IF NOT EXISTS tag_disclosures (
                mapping_id TEXT NOT NULL,
                salt BLOB NOT NULL,
                tag TEXT NOT NULL,
                PRIMARY KEY (mapping_id, salt));
            """);
        // Databases written before the lifecycle class have no assigned_at column.
        using var columns = Command(c, null, "SELECT COUNT(*) FROM pragma_table_info('mappings') WHERE name = 'assigned_at';");
        if ((long)columns.ExecuteScalar()! == 0)
            Execute(c, "ALTER TABLE mappings ADD COLUMN assigned_at INTEGER;");
    }

    /// <summary>Keeps the exact-match-only tag disclosures of a mapping (PROFILE.md §4.4), in the order given.</summary>
    public void AddDisclosures(string mappingId, IEnumerable<Protocol.Profile.TagDisclosure> disclosures)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            foreach (var d in disclosures)
            {
                using var cmd = Command(c, tx, "INSERT OR IGNORE INTO tag_disclosures (mapping_id, salt, tag) VALUES ($id, $s, $t);");
                cmd.Parameters.AddWithValue("$id", mappingId);
                cmd.Parameters.AddWithValue("$s", d.Salt);
                cmd.Parameters.AddWithValue("$t", d.Tag);
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <summary>The disclosures stored for a mapping, in insertion order.</summary>
    public IReadOnlyList<Protocol.Profile.TagDisclosure> DisclosuresFor(string mappingId)
    {
        using var c = Open();
        using var cmd = Command(c, null, "SELECT salt, tag FROM tag_disclosures WHERE mapping_id = $id ORDER BY rowid;");
        cmd.Parameters.AddWithValue("$id", mappingId);
        using var r = cmd.ExecuteReader();
        var list = new List<Protocol.Profile.TagDisclosure>();
        while (r.Read())
            list.Add(new((byte[])r[0], r.GetString(1)));
        return list;
    }

    /// <summary>
    /// Inserts a new mapping, or reports the live or removed one with the same id (payload hash). With
    /// <paramref name="precedence"/> (lifecycle class), the decision is taken on the CSI's live mappings and floor in
    /// the same transaction as the insert, so two holders racing cannot both win.
    /// </summary>
    public PublishOutcome Publish(string id, string csi, string csiType, byte[] cose, long now, long expiresAt, long? assignedAt = null,
        Func<IReadOnlyList<StoredMapping>, long, PrecedenceDecision>? precedence = null)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            if (Find(c, tx, id) is { } existing)
                return new PublishOutcome(existing.Removed ? PublishState.Replayed : PublishState.AlreadyLive, existing);
            var decision = PrecedenceDecision.Accept;
            if (precedence is not null)
            {
                decision = precedence(Live(c, tx, csi, csiType, now), Floor(c, tx, csi, csiType));
                if (decision.Problem is not null)
                    return new PublishOutcome(PublishState.Refused, new StoredMapping(id, 0, csi, csiType, cose, false, now, expiresAt)) { Decision = decision };
                MarkRemoved(c, tx, decision.Invalidate);
                if (decision.RaiseFloorTo is { } floor)
                    RaiseFloor(c, tx, csi, csiType, floor);
            }
            using var cmd = Command(c, tx, """
                INSERT INTO mappings (id, seq, csi, csi_type, cose, removed, published_at, expires_at, assigned_at)
                VALUES ($id, (SELECT IFNULL(MAX(seq), 0) + 1 FROM mappings), $csi, $csi_type, $cose, 0, $now, $exp, $assigned)
                RETURNING seq;
                """);
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$csi", csi);
            cmd.Parameters.AddWithValue("$csi_type", csiType);
            cmd.Parameters.AddWithValue("$cose", cose);
            cmd.Parameters.AddWithValue("$now", now);
            cmd.Parameters.AddWithValue("$exp", expiresAt);
            cmd.Parameters.AddWithValue("$assigned", assignedAt is { } a ? a : DBNull.Value);
            var seq = (long)cmd.ExecuteScalar()!;
            tx.Commit();
            return new PublishOutcome(PublishState.Inserted, new StoredMapping(id, seq, csi, csiType, cose, false, now, expiresAt) { AssignedAt = assignedAt }) { Decision = decision };
        }
    }

    /// <summary>The CSI's assignment floor (PROFILE.md §12.1): credentials assigned before it are stale; 0 when none.</summary>
    public long FloorOf(string csi, string csiType)
    {
        using var c = OpenForRead();
        return Floor(c, null, csi, csiType);
    }

    /// <summary>Live (not removed, not expired) mappings of a CSI, oldest first publication first.</summary>
    public IReadOnlyList<StoredMapping> LiveFor(string csi, string csiType, long now)
    {
        using var c = OpenForRead();
        return Live(c, null, csi, csiType, now);
    }

    /// <summary>Whether the DP ever held a mapping of the CSI, removed, expired or live.</summary>
    public bool EverHeld(string csi, string csiType)
    {
        using var c = OpenForRead();
        using var cmd = Command(c, null, "SELECT EXISTS(SELECT 1 FROM mappings WHERE csi = $csi AND csi_type = $csi_type);");
        cmd.Parameters.AddWithValue("$csi", csi);
        cmd.Parameters.AddWithValue("$csi_type", csiType);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    /// <summary>Any mapping with this id, removed or not (a removal needs the credential of a removed mapping to answer "replayed").</summary>
    public StoredMapping? Find(string id)
    {
        using var c = OpenForRead();
        return Find(c, null, id);
    }

    /// <summary>
    /// Removes the CSI's live mappings that the command targets and, when given, raises the CSI's floor. The nonce is
    /// checked and recorded in the same transaction.
    /// </summary>
    public RemoveOutcome Remove(RemovalCommand command) => Execute(command, apply: true);

    /// <summary>Checks and records the nonce and names the targets, but removes nothing: a removal acknowledged and not acted on.</summary>
    public RemoveOutcome Acknowledge(RemovalCommand command) => Execute(command, apply: false);

    private RemoveOutcome Execute(RemovalCommand command, bool apply)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            using (var seen = Command(c, tx, "SELECT 1 FROM nonces WHERE nonce = $n;"))
            {
                seen.Parameters.AddWithValue("$n", command.Nonce);
                if (seen.ExecuteScalar() is not null)
                    return new RemoveOutcome(RemoveState.Replayed, []);
            }
            var targets = Live(c, tx, command.Csi, command.CsiType, command.Now).Where(command.Target).Select(m => m.Id).ToArray();
            if (targets.Length == 0 && !command.SucceedsWhenNothingMatches)
                return new RemoveOutcome(RemoveState.NothingHeld, []);
            using (var record = Command(c, tx, "INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES ($n, $now);"))
            {
                record.Parameters.AddWithValue("$n", command.Nonce);
                record.Parameters.AddWithValue("$now", command.Now);
                record.ExecuteNonQuery();
            }
            if (apply)
            {
                MarkRemoved(c, tx, targets);
                if (command.RaiseFloorTo is { } floor)
                    RaiseFloor(c, tx, command.Csi, command.CsiType, floor);
            }
            tx.Commit();
            return new RemoveOutcome(RemoveState.Removed, targets);
        }
    }

    private static void MarkRemoved(SqliteConnection c, SqliteTransaction tx, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            using var remove = Command(c, tx, "UPDATE mappings SET removed = 1 WHERE id = $id;");
            remove.Parameters.AddWithValue("$id", id);
            remove.ExecuteNonQuery();
        }
    }

    private static long Floor(SqliteConnection c, SqliteTransaction? tx, string csi, string csiType)
    {
        using var cmd = Command(c, tx, "SELECT floor FROM csi_floors WHERE csi = $csi AND csi_type = $t;");
        cmd.Parameters.AddWithValue("$csi", csi);
        cmd.Parameters.AddWithValue("$t", csiType);
        return cmd.ExecuteScalar() is long f ? f : 0;
    }

    private static void RaiseFloor(SqliteConnection c, SqliteTransaction tx, string csi, string csiType, long floor)
    {
        using var cmd = Command(c, tx, """
            INSERT INTO csi_floors (csi, csi_type, floor) VALUES ($csi, $t, $f)
            ON CONFLICT (csi, csi_type) DO UPDATE SET floor = MAX(floor, excluded.floor);
            """);
        cmd.Parameters.AddWithValue("$csi", csi);
        cmd.Parameters.AddWithValue("$t", csiType);
        cmd.Parameters.AddWithValue("$f", floor);
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// Test control bulk seed (PROFILE.md §8): inserts <paramref name="csis"/>.Count synthetic rows in one
    /// transaction with one prepared statement. Every row carries the same countersigned COSE bytes; only the
    /// indexed columns (id, seq, csi) differ. Returns the number of rows inserted (existing ids are skipped).
    /// </summary>
    public int Seed(IReadOnlyList<string> csis, Func<string, string> idOf, string csiType, byte[] cose, long now, long expiresAt)
    {
        ArgumentNullException.ThrowIfNull(csis);
        ArgumentNullException.ThrowIfNull(idOf);
        lock (_writeLock)
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            long seq;
            using (var max = Command(c, tx, "SELECT IFNULL(MAX(seq), 0) FROM mappings;"))
                seq = (long)max.ExecuteScalar()!;
            using var cmd = Command(c, tx, """
                INSERT OR IGNORE INTO mappings (id, seq, csi, csi_type, cose, removed, published_at, expires_at)
                VALUES ($id, $seq, $csi, $csi_type, $cose, 0, $now, $exp);
                """);
            var id = cmd.Parameters.Add("$id", SqliteType.Text);
            var seqParameter = cmd.Parameters.Add("$seq", SqliteType.Integer);
            var csi = cmd.Parameters.Add("$csi", SqliteType.Text);
            cmd.Parameters.AddWithValue("$csi_type", csiType);
            cmd.Parameters.AddWithValue("$cose", cose);
            cmd.Parameters.AddWithValue("$now", now);
            cmd.Parameters.AddWithValue("$exp", expiresAt);
            cmd.Prepare();
            var inserted = 0;
            foreach (var value in csis)
            {
                id.Value = idOf(value);
                seqParameter.Value = ++seq;
                csi.Value = value;
                inserted += cmd.ExecuteNonQuery();
            }
            tx.Commit();
            // Fold the (large) WAL back into the database so later reads do not walk it.
            Execute(c, "PRAGMA wal_checkpoint(TRUNCATE);");
            return inserted;
        }
    }

    /// <summary>Bytes the database occupies on disk (main file plus WAL).</summary>
    public long SizeOnDisk()
    {
        var main = new SqliteConnectionStringBuilder(_connectionString).DataSource;
        return new[] { main, main + "-wal" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
    }

    public IReadOnlyList<TrustedKey> TrustedKeys()
    {
        using var c = Open();
        using var cmd = Command(c, null, "SELECT role, owner, public_key FROM trusted_keys ORDER BY rowid;");
        using var r = cmd.ExecuteReader();
        var keys = new List<TrustedKey>();
        while (r.Read())
            keys.Add(new TrustedKey(r.GetString(0), r.GetString(1), (byte[])r[2]));
        return keys;
    }

    public void AddTrustedKeys(IEnumerable<TrustedKey> keys)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            foreach (var k in keys)
            {
                using var cmd = Command(c, tx, "INSERT OR IGNORE INTO trusted_keys (role, owner, public_key) VALUES ($r, $o, $k);");
                cmd.Parameters.AddWithValue("$r", k.Role);
                cmd.Parameters.AddWithValue("$o", k.Owner);
                cmd.Parameters.AddWithValue("$k", k.PublicKey);
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <summary>
    /// Records a nonce of a request that removes nothing (a peer lookup, PROFILE.md §11.3) in the nonce table, so reset
    /// forgets it like the others; false when it was recorded before.
    /// </summary>
    public bool TrySpendNonce(byte[] nonce, long now)
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var cmd = Command(c, null, "INSERT OR IGNORE INTO nonces (nonce, seen_at) VALUES ($n, $now);");
            cmd.Parameters.AddWithValue("$n", nonce);
            cmd.Parameters.AddWithValue("$now", now);
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>Test control reset: forget every mapping, nonce and key added through test control.</summary>
    public void Reset()
    {
        lock (_writeLock)
        {
            using var c = Open();
            using var tx = c.BeginTransaction();
            using var cmd = Command(c, tx, "DELETE FROM mappings; DELETE FROM nonces; DELETE FROM trusted_keys; DELETE FROM tag_disclosures; DELETE FROM csi_floors;");
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
    }

    /// <summary>Releases pooled handles so the database file can be reopened (restart) or deleted.</summary>
    public void Dispose()
    {
        using var c = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(c);
    }

    /// <summary>
    /// A pooled connection for reads only: no PRAGMA round trip (synchronous governs commits, and a read commits
    /// nothing). Measured by `run.sh bench` (dp_lookup_throughput): the extra statement per lookup cost throughput.
    /// </summary>
    private SqliteConnection OpenForRead()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // synchronous is per connection; FULL fsyncs the WAL on every commit.
        Execute(c, "PRAGMA synchronous=FULL;");
        return c;
    }

    private static List<StoredMapping> Live(SqliteConnection c, SqliteTransaction? tx, string csi, string csiType, long now)
    {
        using var cmd = Command(c, tx, $"""
            SELECT {Columns} FROM mappings
            WHERE csi = $csi AND csi_type = $csi_type AND removed = 0 AND expires_at > $now
            ORDER BY seq;
            """);
        cmd.Parameters.AddWithValue("$csi", csi);
        cmd.Parameters.AddWithValue("$csi_type", csiType);
        cmd.Parameters.AddWithValue("$now", now);
        using var r = cmd.ExecuteReader();
        var list = new List<StoredMapping>();
        while (r.Read())
            list.Add(Read(r));
        return list;
    }

    private static StoredMapping? Find(SqliteConnection c, SqliteTransaction? tx, string id)
    {
        using var cmd = Command(c, tx, $"SELECT {Columns} FROM mappings WHERE id = $id;");
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    private const string Columns = "id, seq, csi, csi_type, cose, removed, published_at, expires_at, assigned_at";

    private static StoredMapping Read(SqliteDataReader r) =>
        new(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), (byte[])r[4], r.GetInt64(5) != 0, r.GetInt64(6), r.GetInt64(7))
        {
            AssignedAt = r.IsDBNull(8) ? null : r.GetInt64(8),
        };

    private static SqliteCommand Command(SqliteConnection c, SqliteTransaction? tx, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = Command(c, null, sql);
        cmd.ExecuteNonQuery();
    }
}
