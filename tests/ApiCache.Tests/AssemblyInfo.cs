// Integration tests start real servers and processes; run test classes one at a time on 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = false, MaxParallelThreads = 2)]
