"""Plain functions: Chinese dates, numbers, what a certificate says, characters, the URL fetcher."""

import datetime as dt

import pytest

from certificates import fonts
from certificates.chinese_dates import chinese_date, count_numerals, year_numerals
from certificates.numbering import format_number, parse_number
from certificates.rendering import DEFAULT_DESIGN_DIR, qr_matrix, safe_fetcher
from certificates.services import holder_parts, new_token


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2022, 12, 5), "二〇二二年十二月五日"),
        (dt.date(2019, 12, 31), "二〇一九年十二月三十一日"),
        (dt.date(2000, 1, 10), "二〇〇〇年一月十日"),
        (dt.date(2023, 10, 20), "二〇二三年十月二十日"),
        (dt.date(2024, 2, 29), "二〇二四年二月二十九日"),
        (dt.date(2021, 11, 11), "二〇二一年十一月十一日"),
    ],
)
def test_chinese_date_uses_ling_and_counted_month_and_day(day, text):
    assert chinese_date(day) == text


def test_count_numerals_every_day_of_a_month():
    assert [count_numerals(n) for n in (1, 9, 10, 11, 19, 20, 21, 30, 31)] == [
        "一", "九", "十", "十一", "十九", "二十", "二十一", "三十", "三十一"
    ]
    assert year_numerals(2008) == "二〇〇八"
    with pytest.raises(ValueError):
        count_numerals(0)


def test_number_format_and_parse():
    assert format_number(year=2022, code="XM", serial=1) == "TY-XLF-2022-XM-0001"
    assert format_number(year=2022, code="zyz", serial=12) == "TY-XLF-2022-ZYZ-0012"
    assert format_number(year=2022, code="SQ", serial=12345) == "TY-XLF-2022-SQ-12345"
    parsed = parse_number("TY-XLF-2022-ZZ-0007")
    assert (parsed.prefix, parsed.year, parsed.code, parsed.serial) == ("TY-XLF", 2022, "ZZ", 7)
    assert str(parsed) == "TY-XLF-2022-ZZ-0007"
    for bad in ("TY-XLF-22-XM-0001", "TY-XLF-2022-XM-01", "TY-XLF-2022-项目-0001", "TY-XLF-2022-1X-0001"):
        with pytest.raises(ValueError):
            parse_number(bad)
    with pytest.raises(ValueError):
        format_number(year=2022, code="XM", serial=0)
    # Every code the competition API accepts (a letter, then letters or digits) can be numbered.
    assert format_number(year=2022, code="C1", serial=3) == "TY-XLF-2022-C1-0003"
    assert parse_number("TY-XLF-2022-C1-0003").code == "C1"
    for bad_code in ("1C", "项目", "ABCDEFGHI"):
        with pytest.raises(ValueError):
            format_number(year=2022, code=bad_code, serial=1)


def test_holder_by_kind():
    assert holder_parts(kind="project", title="举手之劳·为树木松绑拔刺", organization="太原市城市综合管理服务指挥中心") == (
        "太原市城市综合管理服务指挥中心 举手之劳·为树木松绑拔刺",
        ("太原市城市综合管理服务指挥中心", "“举手之劳·为树木松绑拔刺”项目"),
        "：",
    )
    assert holder_parts(kind="project", title="邻里守望志愿服务项目", organization="")[1] == ("邻里守望志愿服务项目",)
    assert holder_parts(kind="person", title="张三", organization="某单位") == ("张三", ("张三",), "同志：")
    assert holder_parts(kind="organization", title="某志愿服务队", organization="x")[0] == "某志愿服务队"


def test_token_has_256_random_bits():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(t) == 43 for t in tokens)  # 32 bytes, URL-safe base64


def test_extra_chars_are_those_outside_the_base_set():
    assert fonts.extra_chars("王𠮷堃", "abc 123") == "".join(sorted("王𠮷堃"))
    assert "𠮷" not in fonts.gb2312_chars() and "堃" not in fonts.gb2312_chars()
    assert "王" in fonts.gb2312_chars() and len(fonts.gb2312_chars()) > 7500


def test_qr_code_reads_back_as_a_square_matrix():
    matrix = qr_matrix("http://127.0.0.1:8000/verify/" + "a" * 43 + "/")
    assert len(matrix) == len(matrix[0]) and len(matrix) >= 21
    # the three finder patterns: 7×7 dark borders in three corners
    assert all(matrix[0][:7]) and all(matrix[0][-7:]) and all(matrix[-1][:7])


def test_fetcher_allows_assets_and_data_only(tmp_path):
    fetch_log = []
    fetcher = safe_fetcher(roots=[DEFAULT_DESIGN_DIR], log=fetch_log)
    assert fetcher((DEFAULT_DESIGN_DIR / "background.jpg").as_uri()).read()[:2] == b"\xff\xd8"
    assert fetcher("data:text/plain;base64,5aW9").read() == "好".encode()
    assert fetcher("data:,a%20b").read() == b"a b"
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    link = DEFAULT_DESIGN_DIR / "link-for-test"
    refused = [
        "file:///etc/passwd",
        outside.as_uri(),
        (DEFAULT_DESIGN_DIR / ".." / ".." / "models.py").as_uri(),
        "http://127.0.0.1:1/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x",
        "file://remote-host/etc/passwd",
        "data:image/png;base64",  # malformed
    ]
    try:
        link.symlink_to("/etc/passwd")
        refused.append(link.as_uri())
        for url in refused:
            with pytest.raises(ValueError):
                fetcher(url)
    finally:
        link.unlink()
    assert fetcher.refused == refused
    assert fetch_log[-len(refused):] == refused


def test_missing_font_names_the_package(settings):
    fonts.find_font.cache_clear()
    settings.CERTIFICATES_FONTS = {"regular": "/nonexistent/NotoSerifCJK-Regular.ttc"}
    try:
        with pytest.raises(fonts.FontMissing) as raised:
            fonts.find_font("regular")
        assert "fonts-noto-cjk" in str(raised.value) and "Noto Serif CJK SC" in str(raised.value)
        assert "未找到" in str(raised.value)
    finally:
        fonts.find_font.cache_clear()


def test_font_search_without_fontconfig_or_debian_paths_fails(monkeypatch):
    fonts.find_font.cache_clear()
    monkeypatch.setattr(fonts, "_fc_match", lambda weight: None)
    monkeypatch.setattr(fonts, "DEBIAN_PATHS", {"regular": ["/nonexistent.ttc"], "bold": []})
    try:
        with pytest.raises(fonts.FontMissing):
            fonts.find_font("regular")
    finally:
        fonts.find_font.cache_clear()


def test_font_is_found_through_fontconfig_and_is_simplified_chinese():
    fonts.find_font.cache_clear()
    face = fonts.find_font("regular")
    assert "NotoSerifCJK" in face.path
    assert fonts.missing_glyphs(face, "太原市学雷锋𠮷堃") == ""


def _imported_modules(path, *, top_level_only=False):
    """Absolute names of what a module of the certificates package imports (relative ones resolved)."""
    import ast
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    file = root / path
    package = ".".join(file.relative_to(root).with_suffix("").parts)
    if file.name == "__init__.py":
        package = package.rsplit(".", 1)[0] + ".__init__"
    tree = ast.parse(file.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: -node.level]
                base = ".".join(parent + ([node.module] if node.module else []))
            names |= {base} | {f"{base}.{a.name}" for a in node.names}
    return names


def test_the_services_never_import_the_tasks_and_the_tasks_load_them_only_when_run():
    """No import circle: services.dispatch sends tasks by name; the tasks import services in their bodies."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    services = sorted((root / "certificates/services").glob("*.py"))
    assert len(services) > 1
    for path in services:
        assert not {n for n in _imported_modules(path) if n.startswith("certificates.tasks")}, path
    top = _imported_modules("certificates/tasks.py", top_level_only=True)
    assert not {n for n in top if n.startswith("certificates.services")}
