"""The default owner-satisfaction indicator system (满意度指标体系) and overall questions.

Seed 004, exercise 1: for each post that meets owners, refine the five SERVQUAL
dimensions into sub-indicators worded the way an owner would say them, and give
each a weight. Names and wordings are company data, in Chinese (like the default
work-order categories); a company edits them afterwards through ``library_edit``.

Weights are shares of the parent: the six posts share the whole library, each
post's five dimensions share the post, each dimension's sub-indicators share the
dimension. Every group sums to exactly 1.
"""

from decimal import Decimal

from ganzhi.surveys.models import Dimension

D = Decimal

DEFAULT_LIBRARY_NAME = "业主满意度指标体系"

# The Chinese names of the dimensions, used as the wording of the dimension nodes.
DIMENSION_NAMES: dict[str, str] = {
    Dimension.TANGIBLES: "有形度",
    Dimension.ASSURANCE: "专业度",
    Dimension.RESPONSIVENESS: "反应度",
    Dimension.RELIABILITY: "信赖度",
    Dimension.EMPATHY: "同理度",
}

# post code → (post name, post weight, {dimension: (dimension weight, [(wording, weight)])})
PostSpec = tuple[str, Decimal, dict[str, tuple[Decimal, list[tuple[str, Decimal]]]]]

DEFAULT_LIBRARY: dict[str, PostSpec] = {
    "cs": (
        "客服",
        D("0.20"),
        {
            Dimension.TANGIBLES: (
                D("0.15"),
                [
                    ("客服中心环境整洁，办事指引清楚", D("0.5")),
                    ("客服人员着装统一、佩戴工牌", D("0.5")),
                ],
            ),
            Dimension.ASSURANCE: (
                D("0.20"),
                [
                    ("客服人员能把收费、装修等规定解释清楚", D("0.5")),
                    ("客服人员说话礼貌、态度热情", D("0.5")),
                ],
            ),
            Dimension.RESPONSIVENESS: (
                D("0.25"),
                [
                    ("打客服电话很快有人接听", D("0.4")),
                    ("报事报修后很快派人处理，并告诉我进度", D("0.6")),
                ],
            ),
            Dimension.RELIABILITY: (
                D("0.25"),
                [
                    ("答应业主的事情都能按时办到", D("0.6")),
                    ("物业费等各项收费公开透明、明明白白", D("0.4")),
                ],
            ),
            Dimension.EMPATHY: (
                D("0.15"),
                [
                    ("客服人员能耐心听完我的诉求", D("0.5")),
                    ("停水停电等事情提前一对一通知到户", D("0.5")),
                ],
            ),
        },
    ),
    "security": (
        "秩序维护",
        D("0.20"),
        {
            Dimension.TANGIBLES: (
                D("0.15"),
                [
                    ("保安着装整齐、精神饱满", D("0.5")),
                    ("门岗、监控、门禁等安防设施完好能用", D("0.5")),
                ],
            ),
            Dimension.ASSURANCE: (
                D("0.20"),
                [
                    ("保安熟悉小区情况，能准确给访客指路", D("0.4")),
                    ("遇到突发情况，保安处理得当", D("0.6")),
                ],
            ),
            Dimension.RESPONSIVENESS: (
                D("0.20"),
                [
                    ("叫保安后很快赶到现场", D("0.5")),
                    ("乱停车、噪音扰民等问题及时劝阻", D("0.5")),
                ],
            ),
            Dimension.RELIABILITY: (
                D("0.30"),
                [
                    ("外来人员和车辆进出登记严格", D("0.5")),
                    ("小区巡逻到位，住得安心", D("0.5")),
                ],
            ),
            Dimension.EMPATHY: (
                D("0.15"),
                [
                    ("保安见到业主主动打招呼", D("0.5")),
                    ("老人、小孩提重物时保安主动帮忙", D("0.5")),
                ],
            ),
        },
    ),
    "cleaning": (
        "保洁",
        D("0.15"),
        {
            Dimension.TANGIBLES: (
                D("0.30"),
                [
                    ("楼道、电梯轿厢干净整洁", D("0.6")),
                    ("保洁人员着装统一、干净", D("0.4")),
                ],
            ),
            Dimension.ASSURANCE: (
                D("0.15"),
                [
                    ("拖地、擦洗时放警示牌，地面不湿滑", D("0.5")),
                    ("消杀除虫按计划做，效果明显", D("0.5")),
                ],
            ),
            Dimension.RESPONSIVENESS: (
                D("0.15"),
                [("反映的卫生问题当天处理", D("1"))],
            ),
            Dimension.RELIABILITY: (
                D("0.25"),
                [
                    ("垃圾每天按时清运", D("0.5")),
                    ("垃圾桶周边干净、没有异味", D("0.5")),
                ],
            ),
            Dimension.EMPATHY: (
                D("0.15"),
                [
                    ("保洁阿姨见到业主主动问好", D("0.5")),
                    ("打扫时尽量避开业主出门的高峰", D("0.5")),
                ],
            ),
        },
    ),
    "greening": (
        "绿化",
        D("0.10"),
        {
            Dimension.TANGIBLES: (
                D("0.35"),
                [
                    ("草坪、树木修剪整齐，长得好", D("0.6")),
                    ("小区一年四季有绿有花", D("0.4")),
                ],
            ),
            Dimension.ASSURANCE: (
                D("0.15"),
                [("绿化养护到位，病虫害治得及时", D("1"))],
            ),
            Dimension.RESPONSIVENESS: (
                D("0.15"),
                [("反映的树枝挡窗、枯枝倒伏等问题及时处理", D("1"))],
            ),
            Dimension.RELIABILITY: (
                D("0.20"),
                [
                    ("打药、修剪前提前张贴通知", D("0.5")),
                    ("绿地被占用、破坏时能及时制止和恢复", D("0.5")),
                ],
            ),
            Dimension.EMPATHY: (
                D("0.15"),
                [("修剪、浇水时注意不打扰业主休息", D("1"))],
            ),
        },
    ),
    "engineering": (
        "工程维修",
        D("0.20"),
        {
            Dimension.TANGIBLES: (
                D("0.15"),
                [
                    ("维修师傅穿工装、戴工牌，进门穿鞋套", D("0.5")),
                    ("电梯、路灯、门禁等公共设施运行正常", D("0.5")),
                ],
            ),
            Dimension.ASSURANCE: (
                D("0.25"),
                [
                    ("维修师傅手艺好，一次修好", D("0.6")),
                    ("修之前讲清楚问题原因和收费标准", D("0.4")),
                ],
            ),
            Dimension.RESPONSIVENESS: (
                D("0.25"),
                [
                    ("报修后师傅按约定时间上门", D("0.5")),
                    ("停水、停电、漏水等急修很快到场", D("0.5")),
                ],
            ),
            Dimension.RELIABILITY: (
                D("0.20"),
                [
                    ("修好后没有再出同样的问题", D("0.5")),
                    ("计划停水停电检修按通知的时间完成", D("0.5")),
                ],
            ),
            Dimension.EMPATHY: (
                D("0.15"),
                [
                    ("修完把现场打扫干净", D("0.5")),
                    ("修完后有人回访，问效果怎么样", D("0.5")),
                ],
            ),
        },
    ),
    "housekeeper": (
        "管家",
        D("0.15"),
        {
            Dimension.TANGIBLES: (
                D("0.10"),
                [
                    ("管家仪容整洁、佩戴工牌", D("0.5")),
                    ("楼栋公示了管家的联系方式，一找就到", D("0.5")),
                ],
            ),
            Dimension.ASSURANCE: (
                D("0.20"),
                [
                    ("管家了解我家的情况和需要", D("0.5")),
                    ("管家能协调好各部门，把事情办成", D("0.5")),
                ],
            ),
            Dimension.RESPONSIVENESS: (
                D("0.25"),
                [
                    ("微信、电话找管家很快有回复", D("0.5")),
                    ("交给管家的事有跟进、有结果", D("0.5")),
                ],
            ),
            Dimension.RELIABILITY: (
                D("0.20"),
                [("管家答应的事说到做到", D("1"))],
            ),
            Dimension.EMPATHY: (
                D("0.25"),
                [
                    ("管家定期问候，关心家里的老人和孩子", D("0.5")),
                    ("管家站在业主角度想问题、帮忙解决难题", D("0.5")),
                ],
            ),
        },
    ),
}

# Questions every questionnaire built from a library ends with (Question.role).
OVERALL_TEXT = "总的来说，您对我们的物业服务满意吗？"
RECOMMEND_TEXT = "您有多大可能向亲戚朋友推荐我们的物业服务？"
RECOMMEND_HELP = "0 表示完全不可能，10 表示非常可能"
DETRACTOR_TEXT = "您最不满意的是什么？"
DETRACTOR_HELP = "请具体说说，我们会尽快联系您、改进服务"
RENEW_TEXT = "如果由您决定，您愿意继续选择我们为小区提供物业服务吗？"
RENEW_OPTIONS = [
    {"value": "yes", "label": "愿意"},
    {"value": "unsure", "label": "说不好"},
    {"value": "no", "label": "不愿意"},
]
# One follow-up per post, shown when any of the post's items is scored low.
LOW_ITEM_TEXT = "您对{post}哪些地方不满意？"
LOW_ITEM_HELP = "请具体说说，我们会尽快改进"
EP_HELP = "请分别打分：您期望的水平，和您实际感受到的水平"
RATING_HELP = "1 表示非常不满意，{scale} 表示非常满意"
