// One platform at a time: each test starts four services and measures latencies on 2 shared cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
