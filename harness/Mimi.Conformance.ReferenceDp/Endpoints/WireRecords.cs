// The reference DP reads and writes the shared wire records (PROFILE.md §6, §8, §11, §12) everywhere.
global using Mimi.Conformance.Protocol.Profile.Wire;
