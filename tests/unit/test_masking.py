from chalicelib.observability import mask_personal_data


def test_personal_data_is_masked_and_ordinary_values_are_not():
    line = (
        "email ayse.yilmaz@example.org phone +90 532 123 45 67 alt 0532-123-45-67 "
        "foreign id 99706848764 passport U12345678 at 2026-11-27T13:40:00+03:00 "
        "request 5f0c2c1e-8d3b-4a5e-9a7c-1b2c3d4e5f60 status 409"
    )
    masked = mask_personal_data(line)
    for secret in ["ayse.yilmaz@example.org", "532 123 45 67", "0532-123-45-67", "99706848764", "U12345678"]:
        assert secret not in masked
    for kept in ["2026-11-27T13:40:00+03:00", "5f0c2c1e-8d3b-4a5e-9a7c-1b2c3d4e5f60", "status 409"]:
        assert kept in masked
