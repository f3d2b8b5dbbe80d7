using FluentAssertions;
using Mimi.Conformance.Tools.Vectors;

namespace Mimi.Conformance.Harness.Tests.Requirements;

/// <summary>The generator of the catalog's rules: the text gives section, level and quote, the rule index the rest.</summary>
public sealed class RuleIndexTests
{
    private const string Head = """
        {
          "catalog_version": "0.2.0",
          "classes": [],
          "rules": [
            { "id": "stale" }
          ]
        }
        """;

    private static string Profile(string index, string extra = "") => $"""
        # Title
        Preamble: a DP MUST be ignored here [PROF-TR-09].

        ## 1. Transport [DISC-R-07]
        - A DP MUST use TLS [PROF-TR-01]. Plain HTTP gets `426`.
        - A client SHOULD retry "once" [PROF-TR-02].
        {extra}
        ### 1.1 What the suite checks
        The suite fails PROF-TR-01 when a DP MUST not be read [PROF-TR-01].
        ## 2. Rule index
        Intro text that says MUST.

        | rule | class | serves | level | vector files | verifier steps |
        |---|---|---|---|---|---|
        {index}
        """;

    private const string Rows = """
        | PROF-TR-01 | core | DISC-R-07, DISC-L-23 |  |  |  |
        | PROF-TR-02 | sender |  |  | tags/selection.json | cose-structure |
        """;

    [Fact]
    public void Rules_take_section_level_and_quote_from_the_text_and_the_rest_from_the_index()
    {
        RuleIndex.Catalog(Profile(Rows), Head).Should().Be("""
            {
              "catalog_version": "0.2.0",
              "classes": [],
              "rules": [
                {
                  "id": "PROF-TR-01", "level": "MUST", "class": "core", "section": "1",
                  "quote": "A DP MUST use TLS.",
                  "serves": ["DISC-R-07", "DISC-L-23"]
                },
                {
                  "id": "PROF-TR-02", "level": "SHOULD", "class": "sender", "section": "1",
                  "quote": "A client SHOULD retry \"once\".",
                  "serves": [],
                  "vector_files": ["tags/selection.json"],
                  "verifier_steps": ["cose-structure"]
                }
              ]
            }

            """, "the preamble and the sections named \"What the suite checks\" mention IDs but state no rule");
    }

    [Fact]
    public void A_sentence_wording_both_levels_takes_the_level_its_row_gives()
    {
        var mixed = "- A DP MUST log and SHOULD rotate [PROF-TR-03].";
        var rows = Rows + "\n| PROF-TR-03 | core |  | SHOULD |  |  |";
        RuleIndex.Rules(Profile(rows, mixed)).Select(r => r.Row.Level ?? r.Sentence.Level).Should().Equal("MUST", "SHOULD", "SHOULD");
        Refusal(Profile(Rows + "\n| PROF-TR-03 | core |  |  |  |  |", mixed)).Should().Contain("PROF-TR-03 words both a MUST and a SHOULD");
        Refusal(Profile("| PROF-TR-01 | core | DISC-R-07 | MUST |  |  |\n| PROF-TR-02 | sender |  |  |  |  |"))
            .Should().Contain("leave the level of PROF-TR-01 empty; its sentence's keywords give MUST");
    }

    [Fact]
    public void Index_and_text_must_name_the_same_rules_in_the_same_order()
    {
        var first = "| PROF-TR-01 | core | DISC-R-07 |  |  |  |";
        var second = "| PROF-TR-02 | sender |  |  |  |  |";
        Refusal(Profile(first)).Should().Contain("PROF-TR-02 has no row");
        Refusal(Profile($"{first}\n{second}\n| PROF-TR-04 | core |  |  |  |  |")).Should().Contain("PROF-TR-04 is the ID of no sentence");
        Refusal(Profile($"{second}\n{first}")).Should().Contain("lists PROF-TR-02 where the text has PROF-TR-01");
        Refusal(Profile($"{first}\n{first}\n{second}")).Should().Contain("PROF-TR-01 has two rows");
        Refusal(Profile($"{first}\n{second}", "- Two rules [PROF-TR-05] in one sentence [PROF-TR-06].")).Should().Contain("one rule per sentence");
        Refusal(Profile("| PROF-TR-01 | core |")).Should().Contain("has 2 cells, not 6");
    }

    private static string Refusal(string profile)
    {
        var act = () => RuleIndex.Catalog(profile, Head);
        return act.Should().Throw<InvalidDataException>().Which.Message;
    }
}
