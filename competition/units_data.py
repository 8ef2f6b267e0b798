"""Taiyuan's recommending units (推荐单位), shipped with the project.

Copied from the competition office's list; ``code`` is the national
administrative-division code where one exists. The office edits the list in
admin; the data migration and ``seed_demo`` load it.
"""

TAIYUAN_UNITS = [
    ("140105", "太原市小店区", "小店区", "district", 1),
    ("140106", "太原市迎泽区", "迎泽区", "district", 2),
    ("140107", "太原市杏花岭区", "杏花岭区", "district", 3),
    ("140108", "太原市尖草坪区", "尖草坪区", "district", 4),
    ("140109", "太原市万柏林区", "万柏林区", "district", 5),
    ("140110", "太原市晋源区", "晋源区", "district", 6),
    ("140121", "清徐县", "清徐县", "county", 7),
    ("140122", "阳曲县", "阳曲县", "county", 8),
    ("140123", "娄烦县", "娄烦县", "county", 9),
    ("140181", "古交市", "古交市", "county_city", 10),
    ("140171", "山西转型综合改革示范区", "综改示范区", "zone", 11),
    ("TY-Z-XS", "太原西山生态文化旅游示范区", "西山示范区", "zone", 12),
    ("TY-Z-ZB", "中北高新技术产业开发区", "中北高新区", "zone", 13),
    ("TY-M-JGGW", "中共太原市直属机关工作委员会", "市直机关工委", "municipal", 14),
    ("TY-M-JY", "太原市教育局", "市教育局", "municipal", 15),
    ("TY-M-WJ", "太原市卫生健康委员会", "市卫健委", "municipal", 16),
    ("TY-M-GZ", "太原市人民政府国有资产监督管理委员会", "市国资委", "municipal", 17),
    ("TY-M-TSW", "共青团太原市委员会", "团市委", "municipal", 18),
    ("TY-M-FL", "太原市妇女联合会", "市妇联", "municipal", 19),
    ("TY-M-ZGH", "太原市总工会", "市总工会", "municipal", 20),
    ("TY-M-CL", "太原市残疾人联合会", "市残联", "municipal", 21),
    ("TY-M-MZ", "太原市民政局", "市民政局", "municipal", 22),
    ("TY-M-WL", "太原市文化和旅游局", "市文旅局", "municipal", 23),
    ("TY-M-CG", "太原市城乡管理局", "市城乡管理局", "municipal", 24),
]



def load_units(unit_model) -> int:
    """Create the units that are missing; leave the office's edits alone. Returns how many were made."""
    made = 0
    for code, name, short_name, kind, order in TAIYUAN_UNITS:
        _, created = unit_model.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short_name, "kind": kind, "order": order}
        )
        made += created
    return made
