// A cache prefetch hint, for Swift (which has no intrinsic for it). Used by
// AIBLogsMatching/RuleSet.swift's verifier.
#ifndef AIB_PREFETCH_H
#define AIB_PREFETCH_H

/// Asks the CPU to bring the cache line holding `address` closer (a hint: no fault, no effect
/// on results).
static inline void aib_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
