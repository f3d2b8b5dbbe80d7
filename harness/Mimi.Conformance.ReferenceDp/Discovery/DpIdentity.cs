using Mimi.Conformance.Protocol.Crypto;

namespace Mimi.Conformance.ReferenceDp.Discovery;

/// <summary>Who this DP is: its dp_id and the Ed25519 key it countersigns with (role dp).</summary>
internal sealed record DpIdentity(string DpId, SigningKey SigningKey);
