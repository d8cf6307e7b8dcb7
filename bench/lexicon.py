"""Word lists the corpus generator writes its English and Chinese news from.

Hand-written for the project (no text from any dataset): real words for the common part of the
vocabulary, real place names for datelines, and syllables from which `bench.writer` builds a long
tail of rare words and names, so that word 5-grams of unrelated articles seldom collide.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(text.split()))


# --- English -------------------------------------------------------------------------------------

EN_NOUNS = _words("""
government minister ministry official president company market economy growth trade tariff
investment investor bank inflation rate price oil gas energy power plant project program policy
law court judge case trial police suspect attack city region province state country border
military army soldier war conflict peace agreement deal meeting summit election vote voter party
candidate campaign parliament lawmaker bill budget tax debt deficit spending revenue profit loss
share stock bond yield currency dollar euro yuan export import factory worker job unemployment
wage union strike protest protester crowd rally school student teacher university hospital
patient doctor health disease virus vaccine outbreak death toll victim rescue rescuer flood
storm earthquake fire drought weather temperature climate emission pollution water river lake
coast sea port ship airline flight airport passenger train railway road bridge highway traffic
accident car vehicle battery chip technology software data internet network platform user
smartphone device satellite rocket launch mission space scientist research study report survey
analyst forecast outlook quarter year month week decade century history museum festival film
music artist team match game season championship tournament coach player fan stadium league
title record medal athlete village farmer farm crop harvest rice wheat food supply demand
shortage housing home property rent tourism tourist visitor hotel industry sector firm startup
merger acquisition stake chairman executive board director spokesman spokeswoman statement
interview conference document plan strategy reform regulation regulator agency committee council
commission organization group alliance partner relation cooperation dispute sanction security
defense weapon missile navy aircraft drill exercise refugee migrant aid donation charity
community resident neighborhood district capital headquarters office source evidence
investigation probe fraud corruption arrest prison sentence verdict appeal ruling constitution
right freedom media newspaper journalist broadcast channel operator contract tender supplier
customer consumer retailer store sale discount brand product service quality standard label
package delivery shipment cargo container warehouse logistics pipeline refinery reactor grid
turbine panel solar wind coal steel copper aluminum iron gold silver mine miner mineral land
forest park wildlife species habitat reserve tiger elephant panda bird fish fishery ocean island
bay valley mountain desert glacier snow rain heat wave season spring summer autumn winter
morning evening night weekend holiday anniversary ceremony celebration parade exhibition fair
expo forum dialogue visit trip tour delegation envoy ambassador embassy consulate treaty accord
protocol framework initiative corridor zone belt route link connection infrastructure
construction expansion upgrade renovation maintenance repair inspection audit review assessment
evaluation approval permit license patent copyright lawsuit settlement fine penalty compensation
insurance pension subsidy grant loan credit mortgage deposit savings fund asset portfolio
reserve bubble crisis recession recovery rebound slowdown downturn surge jump drop decline fall
rise gain increase decrease cut hike target goal estimate figure number percentage average total
majority minority population census household family child parent youth elderly woman man
citizen people crowd audience reader viewer listener customer client employee staff manager
engineer designer architect lawyer prosecutor detective officer guard firefighter nurse surgeon
researcher professor expert specialist adviser consultant critic opponent supporter ally rival
leader founder owner landlord tenant driver pilot captain sailor crew volunteer activist
campaigner observer witness survivor hostage prisoner inmate defendant plaintiff juror jury
hearing session term mandate majority coalition opposition cabinet premier mayor governor
senator congressman representative delegate commissioner secretary spokesperson negotiator
mediator broker dealer trader banker economist strategist accountant auditor inspector clerk
vendor chef farmer herder fisherman miner welder plumber electrician mechanic programmer
developer hacker cyberattack breach leak outage blackout shortage backlog delay disruption
closure shutdown lockdown reopening restart resumption comeback debut premiere release launch
rollout unveiling announcement proposal motion amendment clause provision measure step action
response reaction concern warning alert threat risk danger hazard damage destruction impact
effect consequence result outcome achievement success failure mistake error problem issue
challenge obstacle barrier gap difference balance stability volatility uncertainty confidence
trust sentiment mood optimism pessimism expectation hope fear anger frustration pressure tension
crisis emergency disaster catastrophe tragedy incident event occasion
""")

EN_VERBS = _words("""
said announced reported confirmed denied warned urged called rejected accepted approved signed
launched opened closed started ended began finished completed expanded reduced raised lowered
cut increased decreased rose fell jumped dropped climbed slipped surged plunged gained lost won
defeated beat led followed joined left entered exited visited met hosted held attended organized
arranged planned proposed suggested recommended demanded requested asked answered responded
replied explained described noted stressed emphasized highlighted pointed added insisted argued
claimed alleged accused charged arrested detained released freed sentenced convicted acquitted
fined banned blocked suspended halted stopped resumed restarted delayed postponed cancelled
scrapped dropped abandoned revived restored rebuilt repaired renovated upgraded improved boosted
strengthened weakened undermined damaged destroyed killed injured wounded rescued evacuated
relocated moved shifted transferred shipped delivered received collected gathered counted
estimated calculated measured tested examined inspected reviewed assessed evaluated analyzed
studied investigated probed questioned challenged criticized praised welcomed supported backed
endorsed opposed resisted protested marched rallied gathered voted elected appointed nominated
named hired fired dismissed replaced resigned retired returned arrived departed landed crashed
collided exploded burned flooded hit struck shook swept battered damaged covered reached
exceeded topped surpassed doubled tripled halved matched missed beat forecast predicted expected
projected targeted aimed sought tried attempted managed failed succeeded achieved secured
obtained acquired bought sold purchased invested spent borrowed lent paid earned saved owed
issued traded listed priced valued rated ranked scored recorded registered filed submitted
published posted shared broadcast aired showed displayed revealed disclosed unveiled introduced
presented offered provided supplied produced manufactured built constructed designed developed
created formed established founded merged split divided separated combined linked connected
united integrated deployed mobilized trained equipped armed fired launched intercepted shot
downed seized captured occupied controlled governed ruled managed operated ran owned held kept
maintained sustained preserved protected defended guarded secured monitored tracked watched
observed noticed discovered found identified located detected spotted
""")

EN_ADJECTIVES = _words("""
new old major minor key main local national regional global international foreign domestic
public private official independent joint bilateral multilateral economic political military
financial social cultural environmental technical scientific digital medical legal judicial
criminal civil strong weak large small big little high low long short early late recent current
former future annual monthly weekly daily quarterly first second third last final previous next
further additional extra total overall average net gross real nominal rapid slow steady sharp
gradual sudden massive huge vast significant modest moderate marginal slight severe serious
critical urgent important essential vital basic fundamental primary secondary central northern
southern eastern western coastal rural urban industrial agricultural commercial residential
remote nearby neighboring traditional modern advanced innovative smart green clean renewable
sustainable stable volatile uncertain positive negative optimistic cautious confident worried
concerned angry frustrated happy proud grateful young elderly senior junior chief deputy acting
interim permanent temporary special general specific particular common rare unusual unexpected
unprecedented historic controversial disputed contested popular successful effective efficient
costly expensive cheap affordable free open closed heavy light hot cold warm dry wet deadly
fatal safe dangerous secure vulnerable fragile resilient active busy quiet calm tense violent
peaceful democratic liberal conservative progressive radical moderate ruling opposing rival
competing leading top premier elite small-scale large-scale long-term short-term high-speed
low-income middle-class state-owned listed unlisted online offline mobile wireless electric
nuclear solar fossil marine coastal tropical arctic alpine volcanic seismic sovereign federal
provincial municipal metropolitan suburban overseas cross-border transnational continental
maritime
""")

EN_ADVERBS = _words("""
also still already now again further recently currently previously initially eventually finally
sharply steadily slightly significantly largely mostly partly fully nearly almost roughly about
quickly slowly gradually immediately openly publicly privately jointly separately strongly
firmly
""")

EN_PREPOSITIONS = _words("""
in on at for with from to by over under after before during since across through amid
""")
EN_DETERMINERS = _words("the its their this that some several many")

EN_TITLES = (
    "minister",
    "foreign minister",
    "finance minister",
    "prime minister",
    "president",
    "vice president",
    "chief executive",
    "chairman",
    "spokesman",
    "spokeswoman",
    "director",
    "director-general",
    "head",
    "deputy head",
    "mayor",
    "governor",
    "senator",
    "professor",
    "researcher",
    "analyst",
    "economist",
    "secretary-general",
    "commissioner",
    "ambassador",
    "general manager",
    "chief economist",
    "senior analyst",
    "lead researcher",
    "party secretary",
    "police chief",
    "commander",
    "coach",
    "captain",
)

EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS_AP = (
    "Jan.",
    "Feb.",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
)
EN_MONTHS = (
    "Jan",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
)

EN_FIRST_NAMES = _words("""
James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark
Margaret Donald Sandra Steven Ashley Paul Kimberly Andrew Emily Joshua Donna Kenneth Michelle
Kevin Carol Brian Amanda George Melissa Edward Deborah Ronald Stephanie Timothy Rebecca Jason
Laura Jeffrey Sharon Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric Anna Jonathan
Ruth Stephen Brenda Larry Pamela Justin Nicole Scott Katherine Samuel Christine Benjamin
Samantha Gregory Debra Frank Rachel Raymond Carolyn Alexander Janet Patrick Maria Jack Heather
Dennis Diane Jerry Julie Tyler Joyce Aaron Victoria Jose Kelly Adam Christina Henry Lauren
Nathan Joan Douglas Evelyn Zachary Olivia Peter Judith Kyle Megan Ahmed Fatima Mohammed Aisha
Omar Layla Hassan Yusuf Mariam Ali Priya Rahul Anil Sunita Arjun Kavya Hiroshi Yuki Kenji Akira
Sakura Min-jun Ji-woo Seo-yeon Dmitry Olga Sergei Natalia Ivan Elena Pierre Claire Jean Sophie
Luc Camille Hans Greta Klaus Ingrid Lars Astrid Giulia Marco Luca Francesca Pablo Lucia Carlos
Isabel Diego Sofia Joao Ana Thiago Beatriz Kwame Amara Chinedu Ngozi Tunde Zanele Thabo
""")

EN_LAST_NAMES = _words("""
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders
Patel Myers Long Ross Foster Jimenez Khan Singh Sharma Gupta Tanaka Suzuki Sato Watanabe Park
Choi Jung Ivanov Petrov Smirnov Dubois Moreau Laurent Lefebvre Muller Schmidt Schneider Fischer
Weber Rossi Russo Ferrari Esposito Bianchi Silva Santos Oliveira Pereira Costa Okafor Mensah
Diallo Mwangi Otieno Nkosi Haddad Mansour Aziz Rahman Hussain Zhang Wang Li Liu Chen Yang Huang
Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao
""")

EN_CITIES = (
    # (dateline city, country)
    ("BEIJING", "China"),
    ("SHANGHAI", "China"),
    ("GUANGZHOU", "China"),
    ("SHENZHEN", "China"),
    ("WUHAN", "China"),
    ("CHENGDU", "China"),
    ("HONG KONG", "China"),
    ("URUMQI", "China"),
    ("LHASA", "China"),
    ("HARBIN", "China"),
    ("KUNMING", "China"),
    ("XI'AN", "China"),
    ("WASHINGTON", "United States"),
    ("NEW YORK", "United States"),
    ("CHICAGO", "United States"),
    ("LOS ANGELES", "United States"),
    ("HOUSTON", "United States"),
    ("MIAMI", "United States"),
    ("SEATTLE", "United States"),
    ("ATLANTA", "United States"),
    ("DENVER", "United States"),
    ("LONDON", "Britain"),
    ("MANCHESTER", "Britain"),
    ("EDINBURGH", "Britain"),
    ("PARIS", "France"),
    ("LYON", "France"),
    ("MARSEILLE", "France"),
    ("BERLIN", "Germany"),
    ("FRANKFURT", "Germany"),
    ("MUNICH", "Germany"),
    ("ROME", "Italy"),
    ("MILAN", "Italy"),
    ("MADRID", "Spain"),
    ("BARCELONA", "Spain"),
    ("LISBON", "Portugal"),
    ("BRUSSELS", "Belgium"),
    ("AMSTERDAM", "Netherlands"),
    ("GENEVA", "Switzerland"),
    ("ZURICH", "Switzerland"),
    ("VIENNA", "Austria"),
    ("WARSAW", "Poland"),
    ("PRAGUE", "Czech Republic"),
    ("BUDAPEST", "Hungary"),
    ("ATHENS", "Greece"),
    ("STOCKHOLM", "Sweden"),
    ("OSLO", "Norway"),
    ("COPENHAGEN", "Denmark"),
    ("HELSINKI", "Finland"),
    ("MOSCOW", "Russia"),
    ("KYIV", "Ukraine"),
    ("ISTANBUL", "Turkey"),
    ("ANKARA", "Turkey"),
    ("CAIRO", "Egypt"),
    ("NAIROBI", "Kenya"),
    ("LAGOS", "Nigeria"),
    ("ABUJA", "Nigeria"),
    ("JOHANNESBURG", "South Africa"),
    ("ADDIS ABABA", "Ethiopia"),
    ("ACCRA", "Ghana"),
    ("DAKAR", "Senegal"),
    ("TEHRAN", "Iran"),
    ("RIYADH", "Saudi Arabia"),
    ("DUBAI", "United Arab Emirates"),
    ("DOHA", "Qatar"),
    ("JERUSALEM", "Israel"),
    ("BEIRUT", "Lebanon"),
    ("BAGHDAD", "Iraq"),
    ("ISLAMABAD", "Pakistan"),
    ("KARACHI", "Pakistan"),
    ("NEW DELHI", "India"),
    ("MUMBAI", "India"),
    ("DHAKA", "Bangladesh"),
    ("COLOMBO", "Sri Lanka"),
    ("KATHMANDU", "Nepal"),
    ("BANGKOK", "Thailand"),
    ("HANOI", "Vietnam"),
    ("JAKARTA", "Indonesia"),
    ("MANILA", "Philippines"),
    ("KUALA LUMPUR", "Malaysia"),
    ("SINGAPORE", "Singapore"),
    ("TOKYO", "Japan"),
    ("OSAKA", "Japan"),
    ("SEOUL", "South Korea"),
    ("ULAN BATOR", "Mongolia"),
    ("ASTANA", "Kazakhstan"),
    ("TASHKENT", "Uzbekistan"),
    ("SYDNEY", "Australia"),
    ("CANBERRA", "Australia"),
    ("WELLINGTON", "New Zealand"),
    ("OTTAWA", "Canada"),
    ("TORONTO", "Canada"),
    ("MEXICO CITY", "Mexico"),
    ("BRASILIA", "Brazil"),
    ("SAO PAULO", "Brazil"),
    ("RIO DE JANEIRO", "Brazil"),
    ("BUENOS AIRES", "Argentina"),
    ("SANTIAGO", "Chile"),
    ("LIMA", "Peru"),
    ("BOGOTA", "Colombia"),
    ("CARACAS", "Venezuela"),
    ("HAVANA", "Cuba"),
    ("UNITED NATIONS", "United States"),
)

EN_ORG_KINDS = _words("""
Group Holdings Corp Industries Technologies Energy Motors Airlines Bank Securities Insurance
Logistics Pharmaceuticals Electronics Telecom Mining Steel Chemicals Foods Media Capital
Partners Systems Networks Semiconductor Shipping Power Resources Materials Robotics Aerospace
Biotech Solar Foundation Institute
""")
EN_AGENCY_KINDS = _words("""
Ministry|of|Commerce Ministry|of|Finance Ministry|of|Health Ministry|of|Transport
Ministry|of|Education Ministry|of|Defense Foreign|Ministry Central|Bank Statistics|Bureau
Meteorological|Administration Environmental|Protection|Agency Energy|Commission
Customs|Administration Supreme|Court Interior|Ministry Civil|Aviation|Authority
Securities|Regulator National|Development|Council Planning|Commission Health|Commission
Water|Resources|Authority Disaster|Management|Agency Housing|Authority
""")
EN_AGENCY_KINDS = tuple(a.replace("|", " ") for a in EN_AGENCY_KINDS)

# Syllables for the long tail of rare English words and invented names (brands, towns, surnames).
EN_ONSETS = _words("""
b bl br c ch cl cr d dr f fl fr g gl gr h j k l m n p pl pr qu r s sh sl sm sn sp st str t th tr
v w wh z
""")
EN_NUCLEI = _words("a e i o u ai ea ee oa oo ou ie ay ar er or ir ur")
EN_CODAS = _words("""
n nd nt ng r rd rk rt s st sk t th ck l ld lt m mp p x ve ne le ny ton ley ford wick
""")
EN_SUFFIXES_NOUN = _words("ion ment ness ity ance ence ism ist ery age ship hood dom")
EN_SUFFIXES_ADJ = _words("al ic ive ous able ish ful less ary")

# Local-news chrome and filler for syndicated copies.
EN_SITE_WORDS = _words("""
Herald Tribune Post Gazette Times Chronicle Observer Courier Sentinel Journal Register Daily
Dispatch Examiner Ledger Record Standard Star Bulletin Monitor Review Advocate Press Voice
Pioneer Beacon Mirror
""")
EN_TOWN_PARTS_A = _words("""
Marlow Ashby Briar Caldor Dunmore Elston Fairhaven Glenrock Harwood Ivydale Juniper Kestrel
Larkspur Millbrook Northgate Oakridge Pinecrest Quarry Redfield Stonebridge Thornbury Umberly
Valemont Westfall Yarrow Ambleside Brookvale Clearwater Driftwood Eastmere Foxhollow Greystone
Hollins Kingsbury
""")
EN_TOWN_PARTS_B = _words("""
Bay Falls Springs Valley Heights Harbor Creek Point Ridge Hills Lake Grove Park Mills Crossing
""")

EN_CHROME_LINES = (
    "Subscribe to the {site} newsletter for the day's top stories.",
    "Advertisement",
    "Share this article on social media",
    "Sign up for breaking news alerts from {site}",
    "Copyright {year} {site}. All rights reserved.",
    "Follow {site} on social media for more updates",
    "Read more world news at {domain}",
    "Story continues below advertisement",
    "Have a news tip? Contact the {site} newsroom.",
    "This article was published by {site} as part of its world news coverage.",
    "Related coverage: more from the {site} world desk",
    "Support local journalism: become a {site} member today.",
    "Comments are closed for this story.",
    "Photo: file picture",
    "{site} | World | {section}",
    "Updated stories appear first on the {site} app.",
)
# Chrome of the scraped blogs and portals that republish wire copy (the Reuters variant of the
# corpus): a site's header lines, and its footer as one block of short lines in template order.
EN_SCRAPER_HEADERS = (
    "Skip to content",
    "{site}",
    "Home » {section} » News",
    "Menu",
    "Latest {section} news from {domain}",
    "Posted on by {site} staff",
)
EN_SCRAPER_FOOTER = (
    "Share this:",
    "Twitter",
    "Facebook",
    "Like this:",
    "Related",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Comment",
    "Name *",
    "Email *",
    "Website",
    "Save my name, email, and website in this browser for the next time I comment.",
    "Post navigation",
    "Back To Top",
    "Copyright © {site} | Powered by WordPress",
)
EN_SECTIONS = _words("""
World Business Nation Asia Europe Markets Science Health Sports Technology Environment
""")

# Templated market and weather reports (hard negatives: same template, different numbers and names).
EN_CONDITIONS = (
    "sunny",
    "cloudy",
    "overcast",
    "light rain",
    "showers",
    "thunderstorms",
    "snow",
    "sleet",
    "fog",
    "partly cloudy",
    "heavy rain",
    "windy",
    "haze",
    "clear skies",
)
EN_WIND_DIRECTIONS = (
    "north",
    "northeast",
    "east",
    "southeast",
    "south",
    "southwest",
    "west",
    "northwest",
)

# --- Chinese -------------------------------------------------------------------------------------

# About 1,000 common characters, used for rare compounds and given names.
ZH_COMMON_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
    "下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加"
    "量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与"
    "关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者"
    "最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少"
    "图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光"
    "门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清美再采转"
    "更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话"
    "米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商"
    "非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值"
    "号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调"
    "满县局照参红细引听该铁价严首底液官德随病苏失尔死讲配女黄推显谈罪神艺呢席含企望密批营项防"
    "举球英氧势告李台落木帮轮破亚师围注远字材排供河态封另施减树溶怎止案言士均武固叶鱼波视仅费"
    "紧爱左章早朝害续轻服试食充兵源判护司足某练差致板田降黑犯负击范继兴似余坚曲输修故城夫够送"
    "笔船占右财吃富春职觉汉画功巴跟虽杂飞检吸助升阳互初创抗考投坏策古径换未跑留钢曾端责站简述"
    "钱副尽帝射草冲承独令限阿宣环双请超微让控州良轴找否纪益依优顶础载倒房突坐粉敌略客袁冷胜绝"
    "析块剂测丝协诉念陈仍罗盐友洋错苦夜刑移频逐靠混母短皮终聚汽村云哪既距卫停烈央察烧迅境若印"
    "洲刻括激孔搞甚室待核校散侵吧甲游久菜味旧模湖货损预阻毫普稳乙妈植息扩银语挥酒守拿序纸医缺"
    "雨吗针刘啊急唱误训愿审附获茶鲜粮斤孩脱硫肥善龙演父渐血欢械掌歌沙刚攻谓盾讨晚粒乱燃矛乎杀"
    "药宁鲁贵钟煤读班伯香介迫句丰培握兰担弦蛋沉假穿执答乐谁顺烟缩征脸喜松脚困异免背星福买染井"
    "概慢怕磁倍祖皇促静补评翻肉践尼衣宽扬棉希伤操垂秋宜氢套督振架亮末宪庆编牛触映雷销诗座居抓"
    "裂胞呼娘景威绿晶厚盟衡鸡孙延危胶屋乡临陆顾掉呀灯岁措束耐剧玉赵跳哥季课凯胡额款绍卷齐伟蒸"
    "殖永宗苗川炉岩弱零杨奏沿露杆探滑镇饭浓航怀赶库夺伊灵税途灭赛归召鼓播盘裁险康唯录菌纯借糖"
    "盖横符私努堂域枪润幅哈竟熟虫泽脑壤"
)

ZH_NOUNS = _words("""
政府 部门 国家 经济 市场 企业 公司 行业 产业 项目 投资 资金 银行 金融 贸易 出口 进口 消费 价格
物价 就业 工人 职工 学生 教师 学校 大学 医院 医生 患者 疫苗 病毒 疫情 健康 卫生 环境 污染 生态
气候 能源 电力 煤炭 石油 天然气 新能源 光伏 风电 电池 汽车 高铁 铁路 公路 机场 港口 航班 旅客
游客 旅游 景区 文化 艺术 电影 音乐 体育 比赛 运动员 球队 冠军 赛季 科技 技术 创新 研发 芯片 软件
数据 网络 平台 人工智能 卫星 火箭 航天 科学家 研究 成果 专家 学者 记者 媒体 报告 调查 统计 数据
指标 增速 规模 总量 收入 利润 税收 财政 预算 债务 政策 措施 方案 规划 改革 开放 发展 建设 工程
设施 基础设施 城市 农村 乡村 农民 农业 粮食 水稻 小麦 玉米 蔬菜 水果 养殖 渔业 森林 草原 河流
湖泊 海洋 山区 地区 区域 省份 城市群 社区 居民 群众 家庭 儿童 老人 青年 妇女 人口 住房 房地产
租金 物业 交通 道路 桥梁 隧道 地铁 公交 车辆 事故 火灾 洪水 暴雨 台风 地震 干旱 高温 降雨 天气
气温 救援 灾区 损失 伤亡 安全 风险 会议 论坛 峰会 展会 博览会 活动 仪式 代表团 大使 外长 总统
总理 部长 主席 官员 负责人 发言人 领导人 合作 伙伴 关系 协议 合同 谈判 对话 交流 访问 友谊 和平
稳定 安全 冲突 战争 军队 士兵 演习 武器 导弹 法院 法律 案件 嫌疑人 警方 公安 检察院 审判 判决
调查组 证据 腐败 违法 犯罪 监管 机构 委员会 协会 组织 团队 员工 管理层 董事会 股东 股票 股价
市值 债券 汇率 人民币 美元 欧元 通胀 利率 贷款 信贷 存款 保险 养老金 补贴 服务 产品 品牌 质量
标准 需求 供应 产量 销量 订单 物流 仓储 快递 电商 零售 门店 制造业 工厂 生产线 设备 材料 钢铁
有色金属 化工 纺织 食品 医药 器械 节目 网友 用户 消费者 市民 村民
""")

ZH_VERBS = _words("""
表示 指出 强调 介绍 认为 宣布 发布 公布 显示 透露 称 说 提出 建议 要求 呼吁 希望 决定 批准 通过
签署 达成 举行 召开 出席 参加 会见 访问 考察 调研 视察 推动 推进 促进 加强 加快 扩大 提高 提升
增加 减少 降低 下降 上涨 增长 回落 突破 达到 超过 实现 完成 开展 启动 建成 投产 运营 开通 恢复
暂停 取消 调整 优化 完善 落实 部署 实施 执行 监督 检查 打击 查处 逮捕 起诉 审理 判处 救治 转移
疏散 抢修 援助 支持 帮助 保障 保护 维护 守护 应对 解决 处理 协调 沟通 交流 合作 共享 分享 欢迎
祝贺 感谢 赞赏 关注 研究 讨论 审议 评估 分析 预测 预计 估计 统计 测算 记录 报道 采访 拍摄 展示
展出 吸引 带动 拉动 支撑 投资 融资 收购 并购 上市 发行 交易 出口 进口 运输 销售 生产 制造 研发
设计 建设 改造 升级 修复 种植
""")

ZH_ADJECTIVES = _words("""
重要 重大 主要 全面 积极 稳定 持续 快速 显著 明显 良好 健康 安全 绿色 低碳 高质量 新型 现代 先进
传统 基本 关键 核心 具体 有效 严重 紧急 充分 广泛 深入 密切 友好 务实 互利 共同 长期 短期 国际
国内 全球 地方 区域 城乡 农村 城市 公共 社会 经济 政治 文化 科技 数字 智能 创新 开放 多元 综合
整体 总体
""")

ZH_ADVERBS = _words("""
已经 正在 将 进一步 不断 持续 依然 仍然 目前 近日 日前 此前 随后 同时 此外 另外 总体 基本 明显
大幅 小幅 逐步
""")
ZH_CONNECTORS = _words("""
据了解 据介绍 记者了解到 值得一提的是 与此同时 此外 另外 近年来 今年以来 截至目前 数据显示
业内人士认为 专家表示 他说 她说
""")
ZH_MEASURES = _words("个 家 项 名 次 批 座 条 架 辆 艘 万人 亿元 万元 吨 公里 平方米 千瓦 户 所")

ZH_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤"
)
ZH_GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯健俊帆帅旭宁"
    "波海燕雪梅琳晶欣怡佳悦晨阳峰鑫博涵睿哲瑞凡欢娇婷颖倩雅琪璐"
)

ZH_CITIES = (
    "北京",
    "上海",
    "天津",
    "重庆",
    "广州",
    "深圳",
    "武汉",
    "成都",
    "杭州",
    "南京",
    "西安",
    "郑州",
    "长沙",
    "沈阳",
    "哈尔滨",
    "长春",
    "济南",
    "青岛",
    "福州",
    "厦门",
    "南昌",
    "合肥",
    "太原",
    "石家庄",
    "呼和浩特",
    "乌鲁木齐",
    "拉萨",
    "西宁",
    "兰州",
    "银川",
    "昆明",
    "贵阳",
    "南宁",
    "海口",
    "香港",
    "澳门",
    "台北",
    "苏州",
    "无锡",
    "宁波",
    "温州",
    "大连",
    "烟台",
    "洛阳",
    "珠海",
    "佛山",
    "东莞",
    "三亚",
    "喀什",
    "延吉",
)
ZH_FOREIGN_CITIES = (
    "华盛顿",
    "纽约",
    "伦敦",
    "巴黎",
    "柏林",
    "莫斯科",
    "东京",
    "首尔",
    "新德里",
    "曼谷",
    "雅加达",
    "开罗",
    "内罗毕",
    "约翰内斯堡",
    "布鲁塞尔",
    "日内瓦",
    "维也纳",
    "罗马",
    "马德里",
    "悉尼",
    "渥太华",
    "巴西利亚",
    "布宜诺斯艾利斯",
    "联合国",
    "迪拜",
    "伊斯坦布尔",
    "河内",
    "新加坡",
    "吉隆坡",
    "阿斯塔纳",
)
ZH_ORG_KINDS = _words("""
集团 股份有限公司 科技有限公司 控股 银行 证券 保险 能源 汽车 航空 物流 医药 电子 化工 钢铁 食品
传媒 研究院 协会 基金会
""")
ZH_AGENCIES = _words("""
商务部 财政部 国家发展改革委 工业和信息化部 交通运输部 生态环境部 农业农村部 国家统计局
中国人民银行 海关总署 国家卫生健康委 应急管理部 教育部 科技部 外交部 水利部 文化和旅游部
国家能源局 国家税务总局 市场监管总局
""")
ZH_TITLES = _words("""
部长 副部长 局长 副局长 主任 副主任 董事长 总经理 首席经济学家 研究员 教授 发言人 负责人 市长
书记 院长 主席 秘书长 大使 分析师
""")
ZH_WEATHER = (
    "晴",
    "多云",
    "阴",
    "小雨",
    "中雨",
    "大雨",
    "雷阵雨",
    "阵雨",
    "小雪",
    "雨夹雪",
    "雾",
    "霾",
    "晴转多云",
    "多云转阴",
)
ZH_WIND = ("北", "东北", "东", "东南", "南", "西南", "西", "西北")

ZH_CHROME_LINES = (
    "责任编辑：{editor}",
    "扫一扫在手机打开当前页",
    "【纠错】",
    "分享到：",
    "版权所有 © {year} {site}",
    "关注{site}微信公众号，获取更多资讯",
    "更多精彩内容请访问{domain}",
    "本网站所刊载信息，不代表本站观点。",
    "{site} > {section} > 正文",
    "打印本页 关闭窗口",
    "相关阅读：",
    "点击进入专题",
    "举报电话：{phone}",
)
ZH_SECTIONS = _words("国内 国际 财经 社会 科技 体育 文化 健康 教育 军事 地方")
ZH_SITE_SUFFIXES = _words("日报 晚报 都市报 新闻网 在线 时报 商报 网 资讯 快报")
ZH_PLACE_PREFIXES = _words("""
江城 星城 泉城 鹏城 羊城 榕城 蓉城 春城 冰城 鹿城 瓷都 湖畔 海滨 山城 古城 新区 东方 南方 北方
西部 中原 江南 塞北 岭南 滨海 金陵
""")
ZH_SITE_PINYIN = tuple(
    """
jiangcheng xingcheng quancheng pengcheng yangcheng rongcheng chengdu chuncheng bingcheng
lucheng cidu hupan haibin shancheng gucheng xinqu dongfang nanfang beifang xibu zhongyuan
jiangnan saibei lingnan binhai jinling
""".split()
)  # same order as ZH_PLACE_PREFIXES
assert len(ZH_SITE_PINYIN) == len(ZH_PLACE_PREFIXES)
