from countersign_platform.outbox import SHARDS, shard_of


def test_a_key_always_maps_to_the_same_shard_in_range() -> None:
    keys = [f"item-{n}" for n in range(500)]
    shards = [shard_of(key) for key in keys]
    assert shards == [shard_of(key) for key in keys]
    assert all(0 <= shard < SHARDS for shard in shards)
    assert len(set(shards)) == SHARDS  # 500 keys spread over every shard
