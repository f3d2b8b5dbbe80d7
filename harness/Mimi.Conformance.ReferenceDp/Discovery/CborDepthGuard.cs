using System.Formats.Cbor;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>
/// Rejects CBOR nested deeper than any profile object needs before the shared decoders see it: they read nested
/// arrays and maps recursively, so a 40 kB body of [[[[…]]]] would otherwise overflow the stack and kill the
/// process. The scan itself is iterative and also looks inside byte strings that carry CBOR (COSE → payload →
/// credential → its payload), a bounded number of levels, so its cost stays linear in the body size.
/// </summary>
internal static class CborDepthGuard
{
    /// <summary>The deepest profile structure is payload map → msps array → entry map → tags array (4).</summary>
    public const int MaxDepth = 16;

    private const int MaxEmbeddingLevels = 3;

    public static bool IsShallow(byte[] encoded)
    {
        var queue = new Queue<(ReadOnlyMemory<byte> Data, int Level)>();
        queue.Enqueue((encoded, 0));
        while (queue.TryDequeue(out var item))
        {
            if (!ScanLevel(item.Data, item.Level, queue))
                return false;
        }
        return true;
    }

    private static bool ScanLevel(ReadOnlyMemory<byte> data, int level, Queue<(ReadOnlyMemory<byte>, int)> queue)
    {
        var r = new CborReader(data, CborConformanceMode.Lax, allowMultipleRootLevelValues: true);
        var depth = 0;
        try
        {
            while (true)
            {
                switch (r.PeekState())
                {
                    case CborReaderState.Finished:
                        return true;
                    case CborReaderState.StartArray:
                        r.ReadStartArray();
                        depth++;
                        break;
                    case CborReaderState.StartMap:
                        r.ReadStartMap();
                        depth++;
                        break;
                    case CborReaderState.EndArray:
                        r.ReadEndArray();
                        depth--;
                        break;
                    case CborReaderState.EndMap:
                        r.ReadEndMap();
                        depth--;
                        break;
                    case CborReaderState.Tag:
                        r.ReadTag();
                        break;
                    case CborReaderState.ByteString:
                        var bytes = r.ReadByteString();
                        if (level < MaxEmbeddingLevels && bytes.Length > 0)
                            queue.Enqueue((bytes, level + 1));
                        break;
                    default:
                        r.SkipValue();
                        break;
                }
                if (depth > MaxDepth)
                    return false;
            }
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException)
        {
            // Not (or no longer) well-formed CBOR: nothing deeper was seen, and the decoders will reject it.
            return true;
        }
    }
}
