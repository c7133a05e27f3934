"""Word lists for the demo company: people, places, projects, phone prefixes.

Small, hand-written lists (no Faker). Surname weights are rounded shares (‰) of
the most common mainland surnames; the rest is plausible, not statistical.
"""

from bisect import bisect
from enum import Enum
from itertools import accumulate
from random import Random
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed weighted choice, drawn with one ``rng.random()`` and a bisect (fast)."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs: list[tuple[T, float]] | dict[T, float]) -> None:
        items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
        # Plain values: enum members (TextChoices) become their str value.
        self.values = [value.value if isinstance(value, Enum) else value for value, _ in items]
        self.cum = list(accumulate(weight for _, weight in items))
        self.total = self.cum[-1]

    def __call__(self, rng: Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.total)]


# Approximate shares (per mille) of the ~100 most common surnames.
SURNAMES = Weighted(
    {
        "王": 71, "李": 70, "张": 67, "刘": 51, "陈": 46, "杨": 32, "黄": 25, "赵": 23,
        "吴": 21, "周": 19, "徐": 15, "孙": 14, "马": 13, "朱": 13, "胡": 12, "郭": 11,
        "何": 11, "林": 10, "高": 10, "罗": 10, "郑": 8, "梁": 8, "谢": 7, "宋": 7,
        "唐": 7, "许": 6, "韩": 6, "冯": 6, "邓": 6, "曹": 6, "彭": 5, "曾": 5,
        "肖": 5, "田": 5, "董": 5, "袁": 5, "潘": 5, "于": 4, "蒋": 4, "蔡": 4,
        "余": 4, "杜": 4, "叶": 4, "程": 4, "苏": 4, "魏": 4, "吕": 4, "丁": 4,
        "任": 3, "沈": 3, "姚": 3, "卢": 3, "姜": 3, "崔": 3, "钟": 3, "谭": 3,
        "陆": 3, "汪": 3, "范": 3, "金": 3, "石": 3, "廖": 2, "贾": 2, "夏": 2,
        "韦": 2, "付": 2, "方": 2, "白": 2, "邹": 2, "孟": 2, "熊": 2, "秦": 2,
        "邱": 2, "江": 2, "尹": 2, "薛": 2, "闫": 2, "段": 2, "雷": 2, "侯": 2,
        "龙": 2, "史": 2, "陶": 2, "黎": 2, "贺": 2, "顾": 1, "毛": 1, "郝": 1,
        "龚": 1, "邵": 1, "万": 1, "钱": 1, "严": 1, "覃": 1, "武": 1, "戴": 1,
        "莫": 1, "孔": 1, "向": 1, "汤": 1,
    }
)  # fmt: skip

# Given names. Two-character names are either a classic name of the owner's
# generation or two characters combined; one-character names are common too.
MALE_CHARS = list(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁俊浩宇轩博文建国志海东林峰晨阳昊然凯健亮成龙毅洋帆睿航"
)
FEMALE_CHARS = list("芳娜敏静丽艳娟霞秀燕玲丹萍红玉兰婷雪琳慧莉颖倩晶洁欣怡佳悦梦雨萱诗琪涵梓瑶璐")
CLASSIC_MALE = {
    "old": ["建国", "国庆", "建华", "卫东", "志强", "国华", "德明", "振华", "永胜", "长林", "福生"],
    "mid": ["志明", "海涛", "建军", "晓东", "立新", "文斌", "永强", "小军", "俊峰", "国栋", "春雷"],
    "young": [
        "子轩",
        "浩然",
        "宇轩",
        "俊杰",
        "梓豪",
        "一鸣",
        "嘉豪",
        "天佑",
        "思远",
        "博文",
        "逸飞",
    ],
}
CLASSIC_FEMALE = {
    "old": ["秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤英", "玉珍", "秀珍", "桂芳", "素芬"],
    "mid": ["丽娟", "晓燕", "海燕", "雪梅", "丽华", "春梅", "红梅", "晓红", "美玲", "雅琴", "慧敏"],
    "young": [
        "子涵",
        "欣怡",
        "梓涵",
        "诗琪",
        "雨萱",
        "佳怡",
        "思雨",
        "可馨",
        "语嫣",
        "雨桐",
        "一诺",
    ],
}


def person_name(rng: Random, *, male: bool, era: str, surname: str | None = None) -> str:
    """A plausible full name; ``era`` is "old" (60+), "mid" or "young" (under 30)."""
    family = surname or SURNAMES(rng)
    chars = MALE_CHARS if male else FEMALE_CHARS
    r = rng.random()
    if r < 0.3:
        return family + chars[int(rng.random() * len(chars))]
    if r < 0.6:
        classic = (CLASSIC_MALE if male else CLASSIC_FEMALE)[era]
        return family + classic[int(rng.random() * len(classic))]
    first = chars[int(rng.random() * len(chars))]
    second = chars[int(rng.random() * len(chars))]
    return family + first + (second if second != first else "")


# Regions are city companies (城市公司) grouped by area; the order interleaves
# areas so that even a small demo spans several of them.
# (area, area code, company city, city code, cities its projects are in)
CITY_COMPANIES: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("华东", "east", "上海", "sh", ("上海", "苏州", "昆山")),
    ("华南", "south", "深圳", "sz", ("深圳", "东莞", "惠州")),
    ("华北", "north", "北京", "bj", ("北京", "廊坊")),
    ("西南", "southwest", "成都", "cd", ("成都", "德阳", "眉山")),
    ("华中", "central", "武汉", "wh", ("武汉", "孝感")),
    ("华东", "east", "杭州", "hz", ("杭州", "绍兴", "湖州")),
    ("华南", "south", "广州", "gz", ("广州", "佛山", "清远")),
    ("华北", "north", "天津", "tj", ("天津",)),
    ("西南", "southwest", "重庆", "cq", ("重庆",)),
    ("华中", "central", "长沙", "cs", ("长沙", "株洲", "湘潭")),
    ("华东", "east", "南京", "nj", ("南京", "镇江", "扬州")),
    ("西北", "northwest", "西安", "xa", ("西安", "咸阳")),
    ("东北", "northeast", "沈阳", "sy", ("沈阳", "鞍山")),
    ("华东", "east", "合肥", "hf", ("合肥", "芜湖")),
    ("华中", "central", "郑州", "zz", ("郑州", "洛阳", "开封")),
    ("西南", "southwest", "昆明", "km", ("昆明", "曲靖")),
    ("华东", "east", "宁波", "nb", ("宁波", "台州")),
    ("华南", "south", "南宁", "nn", ("南宁", "柳州")),
    ("华北", "north", "石家庄", "sjz", ("石家庄", "保定")),
    ("华东", "east", "济南", "jn", ("济南", "泰安")),
    ("华东", "east", "青岛", "qd", ("青岛", "烟台")),
    ("华东", "east", "福州", "fz", ("福州", "莆田")),
    ("华东", "east", "厦门", "xm", ("厦门", "泉州", "漳州")),
    ("华中", "central", "南昌", "nc", ("南昌", "九江")),
    ("西南", "southwest", "贵阳", "gy", ("贵阳", "遵义")),
    ("东北", "northeast", "大连", "dl", ("大连",)),
    ("华北", "north", "太原", "ty", ("太原", "晋中")),
    ("华南", "south", "海口", "hk", ("海口", "三亚")),
    ("东北", "northeast", "长春", "cc", ("长春", "吉林")),
    ("西北", "northwest", "兰州", "lz", ("兰州",)),
    ("东北", "northeast", "哈尔滨", "hrb", ("哈尔滨",)),
    ("华东", "east", "无锡", "wx", ("无锡", "常州")),
]

# Project names: prefix + suffix (翠湖 + 花园). 64 × 32 = 2,048 distinct names.
PROJECT_PREFIXES = [
    "翠湖", "锦绣", "滨江", "紫荆", "金桂", "碧水", "云山", "枫林", "银杏", "世纪",
    "阳光", "春江", "翡翠", "御景", "天悦", "海棠", "梧桐", "玉兰", "星河", "明珠",
    "东方", "南山", "西溪", "北辰", "中央", "悦澜", "观澜", "揽月", "听涛", "栖霞",
    "丽景", "嘉和", "和美", "锦华", "泰和", "瑞景", "金域", "蓝湾", "绿洲", "香榭",
    "万象", "盛世", "清华", "书香", "君悦", "尚品", "龙湾", "凤凰", "桃源", "山水",
    "水岸", "湖畔", "江南", "长安", "九里", "十里", "月湖", "金沙", "银河", "华景",
    "紫薇", "丹桂", "芙蓉", "柳岸",
]  # fmt: skip
PROJECT_SUFFIXES = [
    "花园", "华庭", "壹号", "苑", "府", "公馆", "雅苑", "名邸", "新城", "家园",
    "里", "湾", "天地", "御府", "花苑", "国际", "公寓", "山庄", "半岛", "庭院",
    "雅居", "新村", "佳园", "豪庭", "中心", "城", "上院", "春晓", "悦府", "锦园",
    "小镇", "云邸",
]  # fmt: skip
PHASES = ["二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期"]

ROADS = [
    "人民", "解放", "中山", "建设", "和平", "新华", "长江", "黄河", "学府", "科技",
    "文化", "世纪", "滨河", "湖滨", "迎宾", "光明", "幸福", "青年", "友谊", "朝阳",
    "东风", "胜利", "复兴", "锦绣", "金桥", "银杏", "花园", "体育",
]  # fmt: skip
ROAD_KINDS = ["路", "路", "路", "大道", "街"]

# Mainland mobile prefixes, weighted roughly by how common they are.
PHONE_PREFIXES = Weighted(
    {
        "138": 8, "139": 9, "137": 6, "136": 6, "135": 6, "134": 3, "150": 5, "151": 5,
        "152": 4, "157": 2, "158": 5, "159": 5, "182": 4, "183": 3, "187": 4, "188": 4,
        "130": 4, "131": 4, "132": 4, "155": 3, "156": 3, "185": 4, "186": 5, "166": 2,
        "133": 3, "153": 3, "180": 3, "181": 3, "189": 4, "177": 2, "173": 2, "199": 2,
        "176": 2, "178": 2, "198": 1, "191": 1, "147": 1, "175": 1,
    }
)  # fmt: skip

OCCUPATIONS_WORKING = Weighted(
    {
        "企业职员": 24, "企业管理人员": 9, "IT工程师": 8, "教师": 6, "医护人员": 5,
        "公务员": 5, "个体经营": 9, "金融从业者": 5, "销售": 6, "设计师": 3, "律师": 1,
        "自由职业": 6, "企业主": 4, "工人": 6, "司机": 3,
    }
)  # fmt: skip
OCCUPATIONS_YOUNG = Weighted(
    {
        "企业职员": 30, "IT工程师": 14, "销售": 10, "自由职业": 10, "教师": 6, "医护人员": 6,
        "设计师": 6, "研究生": 6, "个体经营": 6, "主播": 2, "外卖骑手": 4,
    }
)  # fmt: skip
OCCUPATIONS_RETIRED = Weighted({"退休": 85, "个体经营": 6, "企业主": 4, "返聘专家": 5})

ELDERLY_CARE_NOTES = [
    "独居老人，子女在外地，请定期问候",
    "独居老人，行动不便，上门服务请提前电话",
    "独居老人，听力较差，请当面沟通",
    "独居老人，患慢性病，紧急联系人为子女",
    "独居老人，每周上门探访一次",
]
DISABILITY_CARE_NOTES = [
    "轮椅出行，需无障碍通道",
    "视力不佳，通知请电话告知",
    "听力障碍，请用文字或微信沟通",
    "术后康复中，行动不便",
]
QUIET_HOURS = Weighted({"22:00-08:00": 60, "12:00-14:00": 25, "21:00-09:00": 15})
