using System.Text;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Sender;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Preferences;

/// <summary>
/// The tag-privacy class (PROFILE.md §4.4): the default rule, the tag space, and exact-match-only tags that a general
/// lookup never reveals, not even by a size difference, while an exact lookup discloses them verifiably.
/// </summary>
public sealed class TagPrivacyTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    private void RequireTagPrivacy()
    {
        if (!dp.Meta.ConformanceClasses.Contains("tag-privacy"))
            Expect.NotApplicable("the DP does not claim the tag-privacy class");
        dp.RequirePublishing();
    }

    private string Msp(int i) => _ops.Parties.Msps[i].Id;

    private MappingBuilder With(string csi, params MspEntry[] entries) =>
        _ops.Mapping(csi, _ops.Parties.NewRecipientKey()) with { Msps = entries };

    private TagDisclosure NewDisclosure(string tag) => new(_ops.Parties.Nonce(), tag);

    private string SensitiveTag() => $"tag:conformance.test,2026:support-group-{Convert.ToHexStringLower(_ops.Parties.Nonce())[..8]}";

    private async Task RefusedAndInvisible(MappingBuilder builder, string csi, string what, string? problemType = null)
    {
        var (cose, _) = builder.Build();
        var response = Expect.Reachable(await _ops.PublishAsync(cose), "publish");
        if (problemType is null)
            Expect.Refused(response, $"{what}: refused");
        else
            Expect.Refused(response, $"{what}: refused", 400, problemType);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, $"{what}: not served", "no mapping for the CSI", $"{lookup.Mappings.Count} mapping(s)");
    }

    [Fact, Requirement("DISC-M-02")]
    public async Task Default_tag_is_preserved_and_signed()
    {
        RequireTagPrivacy();
        var csi = _ops.Parties.NewE164();
        var published = await _ops.PublishValidAsync(With(csi, new MspEntry(Msp(0), [TagRules.Default]), new MspEntry(Msp(1), ["business"])));
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 1, "served", "the mapping is served", $"{lookup.Mappings.Count}");
        var v = _ops.Verify(lookup.Mappings[0], VerificationPolicy.RecipientOnly);
        Expect.That(v.Valid, "signed", "the default tag arrives under a valid recipient signature", v.FirstFailure?.Detail ?? "valid");
        var served = string.Join("; ", v.Payload!.Msps.Select(m => $"{m.Msp}=[{string.Join(",", m.Tags)}]"));
        var expected = string.Join("; ", published.Payload.Msps.Select(m => $"{m.Msp}=[{string.Join(",", m.Tags)}]"));
        Expect.That(served == expected, "default-preserved", expected, served);
    }

    [Fact, Requirement("DISC-M-02")]
    [Requirement("PROF-TAG-08")]
    public async Task Several_defaults_are_all_returned_unchanged()
    {
        RequireTagPrivacy();
        var csi = _ops.Parties.NewE164();
        var published = new List<PublishedMapping>();
        for (var i = 0; i < 2; i++)
            published.Add(await _ops.PublishValidAsync(With(csi, new MspEntry(Msp(i), [TagRules.Default]))));
        var lookup = await _ops.LookupAsync(csi);
        var servedKeys = lookup.Mappings.Select(m => m.Key).Order(StringComparer.Ordinal).ToArray();
        var publishedKeys = published.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
        Expect.That(servedKeys.SequenceEqual(publishedKeys), "no-dedup", "both default mappings (the sender tie-breaks, not the DP)",
            $"{lookup.Mappings.Count} mapping(s)");
        var unchanged = published.All(p => lookup.Mappings.Any(m => m.Inspect()?.Encode() is { } b && b.AsSpan().SequenceEqual(p.Payload.Encode())));
        Expect.That(unchanged, "unchanged", "each payload byte-identical to the published one", unchanged ? "identical" : "a payload differs");
    }

    [Fact, Requirement("DISC-L-07A")]
    [Requirement("PROF-TAG-06")]
    public async Task Default_cannot_be_combined_with_other_tags()
    {
        RequireTagPrivacy();
        var csi = _ops.Parties.NewE164();
        await RefusedAndInvisible(With(csi, new MspEntry(Msp(0), [TagRules.Default, "business"])), csi, "default in a list", ProfileConstants.Problems.InvalidMapping);
    }

    [Fact, Requirement("DISC-L-07")]
    [Requirement("PROF-TAG-07")]
    public async Task An_untagged_msp_is_accepted_as_the_implicit_default()
    {
        RequireTagPrivacy();
        var csi = _ops.Parties.NewE164();
        var published = await _ops.PublishValidAsync(With(csi, new MspEntry(Msp(0), []), new MspEntry(Msp(1), ["business"])));
        var lookup = await _ops.LookupAsync(csi);
        var payload = lookup.Mappings.Count == 1 ? lookup.Mappings[0].Inspect() : null;
        Expect.That(payload is not null && payload.Encode().AsSpan().SequenceEqual(published.Payload.Encode()), "served-as-signed",
            "the mapping served with its untagged MSP entry unchanged", $"{lookup.Mappings.Count} mapping(s)");
        var choice = TieBreak.Choose(csi, [new TieBreakCandidate(published.Id, payload!.Msps)], null, null, reevaluate: false);
        Expect.That(choice.Choice?.Msp == Msp(0), "implicit-default", $"the sender's tie-break treats {Msp(0)} as the default", choice.Choice?.Msp ?? "(none)");
    }

    [Fact, Requirement("DISC-M-05")]
    [Requirement("PROF-TAG-02")]
    public async Task Malformed_tags_are_refused_and_well_formed_ones_accepted()
    {
        RequireTagPrivacy();
        string[] malformed =
        [
            "Business",                          // not a registered token (registered tokens are lower case)
            "tag:example.com:no-date",           // RFC 4151 needs ",date"
            "tag:,2026:no-authority",
            "tag:example.com,26:short-year",
            "tag:exa mple.com,2026:space",
            "tag:example.com,2026:bad%zzescape",
            "urn:example:not-a-tag-uri",
        ];
        foreach (var tag in malformed)
        {
            var csi = _ops.Parties.NewE164();
            var (cose, _) = With(csi, new MspEntry(Msp(0), [tag])).Build();
            var response = Expect.Reachable(await _ops.PublishAsync(cose), "publish");
            Expect.Refused(response, $"\"{tag}\" refused", 400, ProfileConstants.Problems.InvalidMapping);
        }
        var ok = _ops.Parties.NewE164();
        await _ops.PublishValidAsync(With(ok, new MspEntry(Msp(0), ["personal", "tag:alice@example.com,2026-01-01:book-club#weekly"])));
        Expect.Observed("well-formed-accepted", "a registered token and a user-defined tag URI are accepted", "accepted");
    }

    private async Task<DpResponse> PublishDisclosedAsync(IReadOnlyList<byte[]> sdTags, IReadOnlyList<TagDisclosure> disclosures)
    {
        var (cose, _) = With(_ops.Parties.NewE164(), new MspEntry(Msp(0), ["personal"], sdTags)).Build();
        return Expect.Reachable(await _ops.PublishAsync(cose, disclosures), "publish");
    }

    [Fact, Requirement("DISC-M-04")]
    [Requirement("PROF-TAG-12")]
    public async Task A_disclosure_that_opens_no_commitment_of_its_payload_is_refused()
    {
        RequireTagPrivacy();
        var committed = NewDisclosure(SensitiveTag());
        var other = NewDisclosure(committed.Tag);
        Expect.Refused(await PublishDisclosedAsync([committed.Digest], [other]), "a disclosure whose salt and tag hash to no sd_tags entry", 400, ProfileConstants.Problems.InvalidMapping);
    }

    [Fact, Requirement("DISC-M-04")]
    [Requirement("PROF-TAG-13")]
    public async Task A_disclosed_tag_that_is_default_malformed_or_too_long_is_refused()
    {
        RequireTagPrivacy();
        var maxBytes = dp.Meta.Limit("max_tag_bytes") ?? 256;
        const string Prefix = "tag:example.com,2026:";
        foreach (var tag in new[] { TagRules.Default, "Business", "tag:example.com:no-date", Prefix + new string('x', maxBytes + 1 - Prefix.Length) })
        {
            var d = NewDisclosure(tag);
            Expect.Refused(await PublishDisclosedAsync([d.Digest], [d]), $"a committed disclosure of \"{(tag.Length > 40 ? tag[..40] + "…" : tag)}\" ({Encoding.UTF8.GetByteCount(tag)} bytes)",
                400, ProfileConstants.Problems.InvalidMapping);
        }
    }

    [Fact, Requirement("DISC-M-04")]
    [Requirement("PROF-TAG-14")]
    public async Task A_disclosure_whose_salt_is_not_16_bytes_gets_400_malformed_request()
    {
        RequireTagPrivacy();
        foreach (var size in new[] { 15, 17 })
        {
            byte[] salt = [.. _ops.Parties.Nonce(), .. _ops.Parties.Nonce()];
            var d = new TagDisclosure(salt[..size], SensitiveTag());
            Expect.Refused(await PublishDisclosedAsync([d.Digest], [d]), $"a committed disclosure with a {size}-byte salt", 400, ProfileConstants.Problems.MalformedRequest);
        }
    }

    [Fact, Requirement("DISC-M-04")]
    [Requirement("PROF-TAG-15")]
    public async Task Disclosures_of_one_tag_beyond_disclosure_bytes_are_refused()
    {
        RequireTagPrivacy();
        var limit = dp.Meta.Limit("disclosure_bytes") ?? 1024;
        var maxTags = dp.Meta.Limit("max_tags") ?? 16;
        const string Prefix = "tag:example.com,2026:";
        var tag = Prefix + new string('x', Math.Min(dp.Meta.Limit("max_tag_bytes") ?? 256, 200) - Prefix.Length);
        var disclosures = new List<TagDisclosure>();
        while (TagRules.EncodeList(disclosures).Length <= limit && disclosures.Count < maxTags - 1)
            disclosures.Add(NewDisclosure(tag));
        if (TagRules.EncodeList(disclosures).Length <= limit)
            Expect.NotVerifiable($"{maxTags - 1} disclosures of one {tag.Length}-byte tag fit disclosure_bytes ({limit}): no publish within max_tags can exceed it");
        Expect.Refused(await PublishDisclosedAsync([.. disclosures.Select(d => d.Digest)], disclosures),
            $"{disclosures.Count} committed disclosures of one tag, {TagRules.EncodeList(disclosures).Length} bytes encoded (disclosure_bytes {limit})", 400, ProfileConstants.Problems.InvalidMapping);
    }

    [Fact, Requirement("DISC-R-02")]
    [Requirement("PROF-TAG-05")]
    public async Task Oversize_tags_are_refused()
    {
        dp.RequirePublishing();
        var maxBytes = dp.Meta.Limit("max_tag_bytes") ?? 256;
        var maxTags = dp.Meta.Limit("max_tags") ?? 16;
        var longTag = "tag:example.com,2026:" + new string('x', maxBytes + 1 - "tag:example.com,2026:".Length);
        var csi = _ops.Parties.NewE164();
        var (cose, _) = With(csi, new MspEntry(Msp(0), [longTag])).Build();
        Expect.Refused(Expect.Reachable(await _ops.PublishAsync(cose), "publish"), $"a {Encoding.UTF8.GetByteCount(longTag)}-byte tag (max_tag_bytes {maxBytes})", 400, ProfileConstants.Problems.InvalidMapping);
        var many = Enumerable.Range(0, maxTags + 1).Select(i => $"tag:example.com,2026:t{i}").ToArray();
        (cose, _) = With(csi, new MspEntry(Msp(0), many)).Build();
        Expect.Refused(Expect.Reachable(await _ops.PublishAsync(cose), "publish"), $"{many.Length} tags (max_tags {maxTags})", 400, ProfileConstants.Problems.InvalidMapping);
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 0, "not served", "no oversize mapping stored (nor a truncated one)", $"{lookup.Mappings.Count} mapping(s)");
    }

    /// <summary>A mapping with one exact-only tag and a control mapping of identical shape without it (a decoy digest).</summary>
    private async Task<(string Csi, string ControlCsi, TagDisclosure Disclosure, PublishedMapping Tagged)> PublishExactAndControl()
    {
        var tag = SensitiveTag();
        var d = NewDisclosure(tag);
        var csi = _ops.Parties.NewE164();
        var control = _ops.Parties.NewE164();
        var (cose, payload) = With(csi, new MspEntry(Msp(0), ["personal"], [d.Digest])).Build();
        var response = Expect.Reachable(await _ops.PublishAsync(cose, [d]), "publish");
        Expect.That(response.Status is 200 or 201, "publish-exact-accepted", "HTTP 201 for a mapping with an exact-only tag and its disclosure",
            response.Describe() + Expect.ProblemType(response));
        var decoy = TagRules.Digest(_ops.Parties.Nonce(), SensitiveTag());
        await _ops.PublishValidAsync(With(control, new MspEntry(Msp(0), ["personal"], [decoy])));
        return (csi, control, d, new PublishedMapping(MappingPayload.IdOf(payload.Encode()), payload, cose));
    }

    private static IEnumerable<(string Form, byte[] Needle)> Forms(string label, byte[] value)
    {
        yield return ($"{label} (raw bytes)", value);
        yield return ($"{label} (hex)", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(value)));
        yield return ($"{label} (HEX)", Encoding.ASCII.GetBytes(Convert.ToHexString(value)));
        yield return ($"{label} (base64)", Encoding.ASCII.GetBytes(Convert.ToBase64String(value).TrimEnd('=')));
        yield return ($"{label} (base64url)", Encoding.ASCII.GetBytes(B64.Encode(value)));
    }

    /// <summary>Every place the tag could hide: body, headers, and every base64url string value decoded.</summary>
    private static string? FindLeak(LookupAnswer answer, TagDisclosure d)
    {
        var r = answer.Response;
        var haystacks = new List<(string Where, byte[] Bytes)>
        {
            ("body", r.Body),
            ("headers", Encoding.UTF8.GetBytes(string.Join("\n", r.Headers.Select(h => $"{h.Key}: {h.Value}")))),
        };
        foreach (var m in answer.Mappings)
        {
            haystacks.Add(("a mapping", m.Bytes));
            if (m.Disclosures is { } ds && B64.TryDecode(ds, out var block))
                haystacks.Add(("a disclosures field", block));
        }
        var needles = Forms("the tag", Encoding.UTF8.GetBytes(d.Tag))
            .Concat(Forms("the salt", d.Salt))
            .Concat(Forms("the disclosure", TagRules.EncodeList([d])))
            .Append(("the tag (lower case)", Encoding.UTF8.GetBytes(d.Tag.ToLowerInvariant())));
        foreach (var (form, needle) in needles)
        {
            foreach (var (where, bytes) in haystacks)
            {
                if (bytes.AsSpan().IndexOf(needle) >= 0)
                    return $"{form} found in {where}";
            }
        }
        return null;
    }

    private static string Shape(LookupAnswer a) =>
        $"body {a.Response.Body.Length} B, headers [{string.Join(",", a.Response.Headers.Keys.Where(k => k != "date").Order(StringComparer.Ordinal))}], " +
        $"content-length {a.Response.Headers.GetValueOrDefault("content-length") ?? "-"}, entries [{string.Join(",", a.Mappings.Select(m => $"{m.Bytes.Length}/{m.Disclosures?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}"))}]";

    private void ExpectEmptyBlock(ServedMapping m, string name)
    {
        var size = dp.Meta.Limit("disclosure_bytes");
        byte[]? block = null;
        Expect.That(m.Disclosures is { } ds && B64.TryDecode(ds, out block) && (size is null || block.Length == size), $"{name}: padded",
            $"a disclosures field of exactly disclosure_bytes ({size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "not advertised"}) bytes", m.Disclosures is null ? "(absent)" : $"{block?.Length ?? -1} bytes");
        IReadOnlyList<TagDisclosure>? list = null;
        try
        {
            list = TagRules.DecodeBlock(block!);
        }
        catch (ProfileFormatException)
        {
        }
        Expect.That(list is { Count: 0 }, $"{name}: nothing disclosed", "an empty disclosure list", list is null ? "undecodable" : $"{list.Count} disclosure(s): {string.Join(", ", list.Select(x => x.Tag))}");
    }

    [Fact, Requirement("DISC-M-04")]
    [Requirement("PROF-TAG-18")]
    public async Task General_lookup_reveals_nothing_about_an_exact_only_tag()
    {
        RequireTagPrivacy();
        var (csi, control, d, _) = await PublishExactAndControl();
        var general = await _ops.LookupAsync(csi);
        var baseline = await _ops.LookupAsync(control);
        Expect.That(general.Mappings.Count == 1 && baseline.Mappings.Count == 1, "served", "the tagged mapping and the control are both served",
            $"{general.Mappings.Count} and {baseline.Mappings.Count}");
        var leak = FindLeak(general, d);
        Expect.That(leak is null, "no-leak", "neither the tag (UTF-8, hex, base64, base64url), its salt nor its disclosure anywhere in the response", leak ?? "none found");
        ExpectEmptyBlock(general.Mappings[0], "general lookup");
        Expect.That(Shape(general) == Shape(baseline), "same-shape", $"the control's shape: {Shape(baseline)}", Shape(general));
        var keys = string.Join(",", general.Response.Json?["mappings"]?[0]?.AsObject().Select(p => p.Key) ?? []);
        var controlKeys = string.Join(",", baseline.Response.Json?["mappings"]?[0]?.AsObject().Select(p => p.Key) ?? []);
        Expect.That(keys == controlKeys, "same-fields", controlKeys, keys);
    }

    [Fact, Requirement("DISC-M-04")]
    [Requirement("PROF-TAG-17")]
    public async Task Exact_lookup_discloses_the_tag_verifiably()
    {
        RequireTagPrivacy();
        var (csi, _, d, _) = await PublishExactAndControl();
        var exact = await _ops.LookupTaggedAsync(csi, d.Tag);
        Expect.That(exact.Mappings.Count == 1, "served", "the mapping", $"{exact.Mappings.Count} mapping(s)");
        var m = exact.Mappings[0];
        var v = _ops.Verify(m, VerificationPolicy.RecipientOnly);
        Expect.That(v.Valid, "signed", "a valid mapping", v.FirstFailure?.Detail ?? "valid");
        var size = dp.Meta.Limit("disclosure_bytes");
        IReadOnlyList<TagDisclosure> list = [];
        string actual;
        try
        {
            var block = m.Disclosures is { } ds && B64.TryDecode(ds, out var b) ? b : throw new ProfileFormatException("no base64url disclosures field");
            list = TagRules.DecodeBlock(block);
            actual = $"{block.Length} bytes, tags [{string.Join(", ", list.Select(x => x.Tag))}]";
            Expect.That(size is null || block.Length == size, "padded", $"exactly disclosure_bytes ({size}) bytes", $"{block.Length} bytes");
        }
        catch (ProfileFormatException e)
        {
            actual = e.Message;
        }
        Expect.That(list.Count == 1 && list[0].Tag == d.Tag, "disclosed", $"the disclosure of {d.Tag}", actual);
        var committed = v.Payload!.Msps.SelectMany(e => e.SdTags ?? []).Any(c => c.AsSpan().SequenceEqual(list[0].Digest));
        Expect.That(committed, "commitment", "SHA-256(salt || tag) equals a signed sd_tags digest", committed ? "matches" : "no digest matches");
    }

    [Fact, Requirement("DISC-M-04")]
    [Requirement("PROF-TAG-16")]
    [Requirement("PROF-TAG-19")]
    [Requirement("PROF-TAG-03")]
    public async Task Near_miss_tags_disclose_nothing()
    {
        RequireTagPrivacy();
        var (csi, _, d, _) = await PublishExactAndControl();
        var general = await _ops.LookupAsync(csi);
        var suffix = d.Tag[(d.Tag.LastIndexOf(':') + 1)..];
        string[] misses =
        [
            "tag:conformance.test,2026:support-group-00000000",                          // another tag
            d.Tag[..^3],                                                                 // a prefix
            d.Tag.ToUpperInvariant(),                                                    // another case
            d.Tag.Replace("support-group", "SUPPORT-group", StringComparison.Ordinal),   // case inside the specific part
            d.Tag.Replace("-", "%2D", StringComparison.Ordinal),                         // another URI normalisation
            d.Tag + "#",                                                                 // an empty fragment
            suffix,                                                                      // the specific part alone
            "",
        ];
        foreach (var miss in misses)
        {
            var answer = await _ops.LookupTaggedAsync(csi, miss);
            Expect.That(answer.Mappings.Count == 1, $"\"{miss}\": served", "the mapping (a tag selects disclosures, not mappings)", $"{answer.Mappings.Count}");
            var leak = FindLeak(answer, d);
            Expect.That(leak is null, $"\"{miss}\": no-leak", "no trace of the exact-only tag", leak ?? "none found");
            ExpectEmptyBlock(answer.Mappings[0], $"\"{miss}\"");
            Expect.That(answer.Response.Body.Length == general.Response.Body.Length, $"\"{miss}\": same size", $"{general.Response.Body.Length} bytes, as a general lookup",
                $"{answer.Response.Body.Length} bytes");
        }
    }
}
