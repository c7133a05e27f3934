"""Word lists for the demo work orders: titles, places, notes, follow-up remarks.

Small, hand-written, in the words a property company's customer service writes
(company data is in Chinese). Keys are the default category codes of
``ganzhi.workorders.defaults.CATEGORIES``.
"""

# Titles per category (the owner's words, as customer service types them).
TITLES: dict[str, list[str]] = {
    "repair-water": [
        "厨房水龙头漏水",
        "卫生间地漏堵塞",
        "马桶堵塞",
        "洗手盆下水慢",
        "水管接头滴水",
        "热水器进水阀漏水",
        "阳台下水管堵塞",
    ],
    "repair-leak": [
        "卫生间天花板渗水",
        "楼上漏水到我家",
        "外墙渗水，墙面发霉",
        "窗台渗水",
        "顶楼屋面漏水",
        "阳台顶部滴水",
    ],
    "repair-power": [
        "家里跳闸无法复位",
        "插座没电",
        "入户配电箱跳闸",
        "灯具不亮，疑似线路问题",
        "电表箱有异响",
        "取暖器一开就跳闸",
    ],
    "repair-lift": [
        "电梯困人",
        "电梯门关不上",
        "电梯运行异响",
        "电梯按钮失灵",
        "电梯停在两层之间",
    ],
    "repair-door": [
        "入户门锁坏了",
        "窗户关不严",
        "阳台推拉门卡住",
        "单元门闭门器损坏",
        "防盗门合页松动",
    ],
    "repair-access": [
        "门禁卡刷不开",
        "可视对讲没有画面",
        "单元门禁无法开门",
        "人脸识别门禁失灵",
    ],
    "repair-public": [
        "儿童游乐设施损坏",
        "健身器材螺丝松动",
        "小区道路地砖松动",
        "围墙栏杆损坏",
        "单元门口台阶破损",
    ],
    "repair-light": ["路灯不亮", "楼道感应灯不亮", "景观灯损坏", "单元门口灯不亮"],
    "repair-garage": ["地库道闸抬杆故障", "地库排水沟堵塞", "地库车位线模糊", "地库通风设备异响"],
    "repair-fire": ["消防栓箱门损坏", "楼道应急灯不亮", "烟感报警器误报", "消防通道门闭门器坏了"],
    "clean-public": ["楼道有垃圾未清理", "大堂地面湿滑脏污", "电梯轿厢有异味", "楼梯扶手积灰"],
    "clean-garbage": [
        "垃圾桶满了未清运",
        "垃圾站异味严重",
        "装修垃圾堆放在楼道",
        "大件垃圾需要清运",
    ],
    "clean-pest": ["楼道发现老鼠", "蟑螂较多，申请消杀", "绿化带蚊虫多", "发现白蚁"],
    "green-care": ["草坪需要修剪", "树枝遮挡窗户", "绿化带枯死需补种", "大风后树木倾斜"],
    "green-damage": ["有人在绿地种菜", "绿化带被车辆碾压", "草坪被踩出小路", "有人私自砍树"],
    "complaint-service": [
        "客服电话无人接听",
        "前台工作人员态度差",
        "管家答应的事没有回复",
        "报修后无人联系",
    ],
    "complaint-security": ["外来人员随意进出", "夜间巡逻不到位", "门岗不登记访客", "保安值班睡觉"],
    "complaint-cleaning": [
        "楼道几天没人打扫",
        "电梯里垃圾没人清理",
        "保洁不彻底，地面有污渍",
        "垃圾桶周边脏乱",
    ],
    "complaint-repair": [
        "维修后问题依旧",
        "维修师傅未按约定时间上门",
        "维修收费不透明",
        "维修后现场未清理",
    ],
    "complaint-parking": [
        "车位被他人占用",
        "消防通道有车辆违停",
        "外来车辆占用小区车位",
        "地面停车秩序混乱",
    ],
    "complaint-noise": ["楼上夜间噪音扰民", "广场舞噪音太大", "空调外机噪音", "商铺音响声音太大"],
    "complaint-neighbour": [
        "邻居在公共区域堆放杂物",
        "邻居空调滴水到我家",
        "邻居占用楼道",
        "邻居装修损坏我家墙面",
    ],
    "complaint-pet": [
        "楼道有狗粪便无人清理",
        "遛狗不牵绳",
        "宠物夜间吠叫扰民",
        "宠物在电梯内便溺",
    ],
    "complaint-decoration": [
        "邻居装修超时施工",
        "装修噪音太大",
        "装修垃圾乱堆放",
        "装修工人随意出入",
    ],
    "complaint-throwing": ["高空抛物砸到车辆", "楼上扔烟头", "阳台掉落花盆", "高空抛下垃圾袋"],
    "complaint-leak": ["漏水报修多次未修复", "楼上渗水问题一直没解决", "外墙渗水反复出现"],
    "complaint-fee": [
        "物业费收费标准有疑问",
        "公摊电费计算不合理",
        "停车费上涨没有公示",
        "收费票据开具不及时",
    ],
    "complaint-lift": [
        "电梯经常停运",
        "电梯维保不到位",
        "电梯运行抖动，担心安全",
        "电梯停运未提前通知",
    ],
    "enquiry-fee": ["物业费缴费方式咨询", "物业费欠费查询", "如何开具物业费发票", "物业费预缴咨询"],
    "enquiry-decoration": [
        "装修申请手续咨询",
        "装修押金退还咨询",
        "装修时间规定咨询",
        "装修垃圾清运费用咨询",
    ],
    "enquiry-parking": ["车位租赁咨询", "月卡办理咨询", "访客停车规定咨询", "充电桩安装咨询"],
    "enquiry-general": [
        "快递柜使用咨询",
        "小区活动报名咨询",
        "门禁卡办理咨询",
        "停水通知咨询",
        "房屋出租备案咨询",
    ],
    "suggestion-general": [
        "建议增加儿童游乐设施",
        "建议增设电动车充电桩",
        "建议延长会所开放时间",
        "建议增加垃圾分类指引",
        "建议在小区增设休息座椅",
    ],
    "praise-staff": [
        "感谢维修师傅及时上门",
        "表扬保安帮忙搬运物品",
        "感谢管家热心帮助",
        "表扬保洁阿姨认真负责",
        "感谢客服耐心解答",
    ],
}

REPEAT_PREFIX = "再次反映："

# Descriptions: "{t}" is the title.
DESCRIPTIONS = [
    "{t}，麻烦尽快处理。",
    "{t}，已经好几天了。",
    "{t}，家里有老人，请尽快上门。",
    "{t}，请安排人来看一下。",
    "{t}，白天家里有人。",
]

# Where in a home (location note of orders on a unit).
ROOMS: dict[str, list[str]] = {
    "repair-water": ["厨房", "卫生间", "阳台"],
    "repair-leak": ["卫生间", "阳台", "外墙", "天花板", "窗台"],
    "repair-power": ["客厅", "厨房", "入户配电箱"],
    "repair-door": ["入户门", "窗户", "阳台门"],
    "repair-access": ["可视对讲"],
    "clean-pest": ["厨房", "楼道"],
}

# Public places ("{b}" a residential building such as 3栋, "{e}" its entrance).
PLACES: dict[str, list[str]] = {
    "repair-water": ["{b}地下室水泵房", "中心花园给水管", "{b}楼前雨水井"],
    "repair-leak": ["{b}屋面", "{b}{e}单元楼道天花板", "{b}地下室"],
    "repair-power": ["{b}{e}单元配电间", "中心花园景观照明配电箱", "东门岗亭"],
    "repair-lift": ["{b}{e}单元电梯"],
    "repair-door": ["{b}{e}单元门", "东门人行门", "会所玻璃门"],
    "repair-access": ["{b}{e}单元门禁", "东门人行门禁", "南门车辆道闸"],
    "repair-public": ["儿童游乐区", "健身器材区", "中心花园", "小区东门", "{b}楼前道路"],
    "repair-light": ["中心花园路灯", "东门路灯", "{b}楼前路灯", "{b}{e}单元楼道"],
    "repair-garage": ["地库出入口道闸", "地库B1层排水沟", "地库通风机房"],
    "repair-fire": ["{b}消防通道", "{b}{e}单元消防栓", "{b}{e}单元应急照明"],
    "clean-public": ["{b}{e}单元楼道", "{b}大堂", "中心花园", "东门广场", "{b}{e}单元电梯"],
    "clean-garbage": ["东门垃圾站", "{b}垃圾分类点", "南门垃圾站"],
    "clean-pest": ["中心花园", "{b}地下室", "东门垃圾站"],
    "green-care": ["中心花园", "{b}楼前绿地", "南门绿化带", "儿童游乐区"],
    "green-damage": ["中心花园", "{b}楼前绿地", "南门绿化带"],
    "complaint-service": ["物业服务中心"],
    "complaint-security": ["东门岗亭", "南门岗亭", "小区周界"],
    "complaint-cleaning": ["{b}{e}单元楼道", "{b}大堂", "东门垃圾站"],
    "complaint-parking": ["东门地面停车位", "{b}楼前消防通道", "南门访客车位"],
    "complaint-noise": ["中心广场", "商业街", "{b}楼前"],
    "complaint-pet": ["中心花园", "{b}{e}单元电梯", "{b}楼前"],
    "complaint-lift": ["{b}{e}单元电梯"],
    "suggestion-general": ["中心花园", "会所", "物业服务中心"],
}
PUBLIC_DEFAULT = ["物业服务中心", "中心花园", "小区东门"]

# QR places per project: (kind, name template).
QR_PLACES = [
    ("gate", "东门"),
    ("gate", "南门"),
    ("lamp", "中心花园路灯"),
    ("lamp", "东门路灯"),
    ("bin", "东门垃圾站"),
    ("bin", "南门垃圾站"),
    ("other", "儿童游乐区"),
    ("other", "健身器材区"),
]
QR_KINDS: dict[str, tuple[str, ...]] = {  # category → QR place kinds it is reported from
    "repair-lift": ("lift",),
    "repair-light": ("lamp",),
    "repair-public": ("other", "gate"),
    "repair-access": ("gate",),
    "repair-garage": ("garage",),
    "clean-garbage": ("bin",),
    "clean-public": ("lift", "bin"),
    "green-care": ("other",),
    "green-damage": ("other",),
    "complaint-cleaning": ("bin", "lift"),
    "complaint-lift": ("lift",),
    "suggestion-general": ("other",),
}

RESOLVED_NOTES: dict[str, list[str]] = {
    "repair": [
        "已更换配件，恢复正常。",
        "已现场维修完毕。",
        "已处理完毕，经业主确认正常。",
        "已维修完成，现场已清理。",
    ],
    "complaint": [
        "已与相关方沟通协调，问题已处理。",
        "已现场核实并整改。",
        "已向业主说明情况并致歉，问题已解决。",
        "已加强巡查，整改落实到位。",
    ],
    "enquiry": ["已电话答复业主。", "已现场解答并提供资料。", "已通过微信答复。"],
    "suggestion": ["已记录并反馈项目部研究。", "已纳入下季度改进计划，并告知业主。"],
    "praise": ["已转达表扬，纳入员工激励。", "已感谢业主，表扬在员工例会上通报。"],
}
WAITING_NOTES = ["已与业主约定上门时间，等待业主在家。", "需业主提供装修图纸，等待业主回复。"]
PROGRESS_NOTES = ["师傅已到现场查看。", "配件已订购，到货后上门更换。", "已联系业主确认情况。"]

FOLLOWUP_COMMENTS: dict[int, list[str]] = {
    5: ["非常满意，谢谢。", "处理很及时，满意。", "师傅很专业，满意。", "服务很好。"],
    4: ["满意。", "基本满意。", "处理还可以，就是等了一会儿。"],
    3: ["一般，等的时间有点长。", "问题解决了，但沟通不够。"],
    2: ["还是没有彻底解决。", "处理太慢了，不满意。"],
    1: ["很不满意，问题依旧。", "态度敷衍，非常不满意。"],
}
NOT_REACHED_COMMENTS = ["电话无人接听。", "电话关机。", ""]
DECLINED_COMMENTS = ["业主表示不需要回访。", "业主较忙，婉拒回访。"]
CLOSED_NOT_REACHED = "多次联系业主未接通，按规定办结。"
CLOSED_DECLINED = "业主婉拒回访，工单办结。"

RECOVERY_ROOT_CAUSES = [
    "维修人员未按约定时间上门，沟通不到位。",
    "问题根源未排查清楚，仅做了临时处理。",
    "岗位交接不清，工单无人跟进。",
    "夜间值班人员不足，响应慢。",
]
RECOVERY_LESSONS = [
    "答应业主的时间必须兑现，做不到要提前告知。",
    "复杂问题先查清根源，不能只做表面处理。",
    "工单交接要当面确认。",
]
RECOVERY_PREVENTION = [
    "工单临近超时自动提醒主管。",
    "复杂维修建立跟踪台账，每日向业主回复进度。",
    "加强岗位交接与巡查。",
]
GOODWILL = [
    ("赠送洗车券两张", "40.00"),
    ("赠送水果篮", "80.00"),
    ("上门致歉并赠送小礼品", "50.00"),
    ("减免一个月停车费", "300.00"),
    ("", None),
]

# The planted garage leak (docs/demo-data.md, planted effects).
GARAGE_NOTE = "地下车库"  # every location note of the planted garage leaks starts with this
GARAGE_TITLES = {
    "repair-leak": ["地下车库顶板渗水，水滴到车上", "车库顶板裂缝渗水", "地库漏水，车位积水"],
    "complaint-leak": [
        "地下车库漏水多次报修未修复",
        "车库漏水弄脏车辆，要求赔偿",
        "车库渗水问题一直拖着不解决",
        "地库漏水，要求物业给出整改时间",
    ],
}
GARAGE_RESOLVED = ["已临时封堵裂缝并加装导水槽。", "已临时引流，待雨季后彻底整改。"]
GARAGE_PROGRESS = [
    "已现场查看，顶板裂缝渗水，临时加装导水槽。",
    "需防水专业单位施工，已报公司审批。",
    "维修资金使用需业委会表决，正在协调。",
    "防水单位已勘察，报价待审批。",
    "雨天渗水加重，已安排保洁及时清理积水。",
]
GARAGE_GOODWILL = [("免费洗车三次", "90.00"), ("减免一个月停车费", "300.00")]
