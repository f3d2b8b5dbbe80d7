// The outcome markers live in the harness, where the reader recognises them by type (docs/ARCHITECTURE.md §5).
global using ConformanceFailure = Mimi.Conformance.Harness.Results.ConformanceFailure;
global using HarnessErrorException = Mimi.Conformance.Harness.Results.HarnessErrorException;
