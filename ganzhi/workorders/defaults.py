"""The default category taxonomy and promises a company starts with (editable afterwards).

Covers 四保一服 (security, cleaning, greening, repairs, customer service) plus parking,
fees, noise, neighbours, pets, decoration, high-altitude throwing, leaks, lifts,
access control and public facilities. Names are company data, in Chinese.
"""

from ganzhi.workorders.models import Kind, Priority

# (code, name, kind, post code, default priority)
CATEGORIES: list[tuple[str, str, str, str, str]] = [
    ("repair-water", "给排水维修", Kind.REPAIR, "engineering", Priority.NORMAL),
    ("repair-leak", "漏水渗水", Kind.REPAIR, "engineering", Priority.HIGH),
    ("repair-power", "电路电气", Kind.REPAIR, "engineering", Priority.HIGH),
    ("repair-lift", "电梯故障", Kind.REPAIR, "engineering", Priority.EMERGENCY),
    ("repair-door", "门窗五金", Kind.REPAIR, "engineering", Priority.NORMAL),
    ("repair-access", "门禁对讲", Kind.REPAIR, "engineering", Priority.HIGH),
    ("repair-public", "公共设施损坏", Kind.REPAIR, "engineering", Priority.NORMAL),
    ("repair-light", "路灯照明", Kind.REPAIR, "engineering", Priority.NORMAL),
    ("repair-garage", "地库设施", Kind.REPAIR, "engineering", Priority.NORMAL),
    ("repair-fire", "消防设施", Kind.REPAIR, "engineering", Priority.EMERGENCY),
    ("clean-public", "公共区域保洁", Kind.REPAIR, "cleaning", Priority.NORMAL),
    ("clean-garbage", "垃圾清运", Kind.REPAIR, "cleaning", Priority.NORMAL),
    ("clean-pest", "消杀除虫", Kind.REPAIR, "cleaning", Priority.LOW),
    ("green-care", "绿化养护", Kind.REPAIR, "greening", Priority.LOW),
    ("green-damage", "绿化破坏", Kind.COMPLAINT, "greening", Priority.NORMAL),
    ("complaint-service", "服务态度", Kind.COMPLAINT, "cs", Priority.HIGH),
    ("complaint-security", "安全秩序", Kind.COMPLAINT, "security", Priority.HIGH),
    ("complaint-cleaning", "保洁质量", Kind.COMPLAINT, "cleaning", Priority.NORMAL),
    ("complaint-repair", "维修质量", Kind.COMPLAINT, "engineering", Priority.HIGH),
    ("complaint-parking", "停车管理", Kind.COMPLAINT, "security", Priority.NORMAL),
    ("complaint-noise", "噪音扰民", Kind.COMPLAINT, "security", Priority.NORMAL),
    ("complaint-neighbour", "邻里纠纷", Kind.COMPLAINT, "housekeeper", Priority.NORMAL),
    ("complaint-pet", "宠物管理", Kind.COMPLAINT, "security", Priority.NORMAL),
    ("complaint-decoration", "装修管理", Kind.COMPLAINT, "housekeeper", Priority.NORMAL),
    ("complaint-throwing", "高空抛物", Kind.COMPLAINT, "security", Priority.EMERGENCY),
    ("complaint-leak", "漏水未修复", Kind.COMPLAINT, "engineering", Priority.HIGH),
    ("complaint-fee", "收费争议", Kind.COMPLAINT, "cs", Priority.NORMAL),
    ("complaint-lift", "电梯运行", Kind.COMPLAINT, "engineering", Priority.HIGH),
    ("enquiry-fee", "物业费咨询", Kind.ENQUIRY, "cs", Priority.LOW),
    ("enquiry-decoration", "装修手续", Kind.ENQUIRY, "housekeeper", Priority.LOW),
    ("enquiry-parking", "车位咨询", Kind.ENQUIRY, "cs", Priority.LOW),
    ("enquiry-general", "其他咨询", Kind.ENQUIRY, "cs", Priority.LOW),
    ("suggestion-general", "意见建议", Kind.SUGGESTION, "cs", Priority.LOW),
    ("praise-staff", "表扬员工", Kind.PRAISE, "cs", Priority.LOW),
]

WORKDAY_MINUTES = 570  # 08:30–18:00, the default calendar's working day

# (name, kind, priority, response minutes, resolution minutes, clock, order)
POLICIES: list[tuple[str, str, str, int, int, str, int]] = [
    ("紧急事项：15分钟响应，4小时解决", "", Priority.EMERGENCY, 15, 240, "24x7", 10),
    ("投诉：30分钟响应，1个工作日解决", Kind.COMPLAINT, "", 30, WORKDAY_MINUTES, "business", 20),
    ("报修（高）：30分钟响应，4工作小时解决", Kind.REPAIR, Priority.HIGH, 30, 240, "business", 30),
    ("报修：1小时响应，2个工作日解决", Kind.REPAIR, "", 60, 2 * WORKDAY_MINUTES, "business", 40),
    ("默认：2工作小时响应，2个工作日办结", "", "", 120, 2 * WORKDAY_MINUTES, "business", 1000),
]
DEFAULT_POLICY_NAME = POLICIES[-1][0]
