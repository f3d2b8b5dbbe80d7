namespace Mimi.Conformance.Protocol.Files;

/// <summary>
/// Writes a file through a uniquely named temporary sibling and a rename, so that a reader (a browser on
/// reports/latest, a launcher polling for the ready file, the next start reading a key) never sees half a file,
/// and a crash leaves at most a stray *.tmp, never a truncated target.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/>. With <paramref name="createOnly"/> an existing file
    /// wins (e.g. another process's key) and false is returned; <paramref name="ownerOnly"/> creates it mode 0600 and
    /// flushes it to disk before the rename, for secrets.
    /// </summary>
    public static bool Write(string path, Action<Stream> write, bool createOnly = false, bool ownerOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } directory)
            Directory.CreateDirectory(directory);
        var temp = $"{full}.{Guid.NewGuid().ToString("N")[..8]}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (ownerOnly && !OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                write(stream);
                stream.Flush(flushToDisk: ownerOnly);
            }
            if (!createOnly)
            {
                File.Move(temp, full, overwrite: true);
                return true;
            }
            try
            {
                File.Move(temp, full, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(full))
            {
                return false;
            }
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>Writes text as UTF-8 without a byte-order mark.</summary>
    public static bool WriteText(string path, string text, bool createOnly = false, bool ownerOnly = false) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, Utf8, leaveOpen: true);
            writer.Write(text);
        }, createOnly, ownerOnly);

    /// <summary>UTF-8 without a byte-order mark: what browsers, CI tools and XML parsers all expect.</summary>
    public static readonly System.Text.Encoding Utf8 = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}
