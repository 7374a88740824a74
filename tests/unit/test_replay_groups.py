"""``stance replay --rebuild`` reads consumer-group members by field name, in every protocol version."""
from __future__ import annotations

from aiokafka.protocol.admin import DescribeGroupsResponse_v0, DescribeGroupsResponse_v3

from stream.commands.replay import group_members


def test_members_by_name_across_versions():
    v3 = DescribeGroupsResponse_v3(0, [(0, "live", "Stable", "consumer", "faust", [("m1", "c", "h", b"", b"")], 0),
                                       (0, "other", "Empty", "consumer", "", [], 0)])
    v0 = DescribeGroupsResponse_v0([(0, "old", "Stable", "consumer", "range", [("m2", "c", "h", b"", b""),
                                                                               ("m3", "c", "h", b"", b"")])])
    members = group_members([v3, v0])
    assert {g: len(m) for g, m in members.items()} == {"live": 1, "other": 0, "old": 2}
    assert members["live"][0][0] == "m1"
