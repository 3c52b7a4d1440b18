"""The kinds of publishing body and the words that name them: what follows the place in an agency name
('人民政府', '办公室', '综合实验区管委会', '水务局'). Declared once; the resolver reads a name with them."""

from __future__ import annotations

import re

GOVERNMENT, OFFICE, DEPARTMENT, TOWNSHIP, SPECIAL_AREA = (
    "government", "government_office", "department", "township", "special_area")
BODY_KINDS = (GOVERNMENT, OFFICE, DEPARTMENT, TOWNSHIP, SPECIAL_AREA)

# the government of a division: people's government, a street's 办事处, a zone's 管委会
GOVERNMENT_WORDS = re.compile(r"^(?:人民政府|政府|街道办事处|办事处|街道办|管理委员会|管委会|党工委管委会)?$")
OFFICE_WORDS = re.compile(r"^(?:人民政府|政府)?(?:办公厅|办公室)$")
# words before a department that only repeat whose department it is ('区政府国资局', '市人民政府政务服务中心')
GOVERNMENT_PREFIX = re.compile(r"^(?:[省市县区旗州镇乡])?(?:人民政府|政府)")
# special areas that are not divisions of the registry: they hang under the division their name starts with
_AREA_WORDS = (
    "综合实验区|综合试验区|自由贸易试验区|国家级新区|新区|经济技术开发区|高新技术产业开发区|经济开发区|高新区|"
    "开发区|工业园区|产业园区|园区|试验区|实验区|示范区|保税区|管理区|度假区|风景名胜区|风景区")
SPECIAL_AREA_WORDS = tuple(_AREA_WORDS.split("|"))
SPECIAL_AREAS = re.compile(rf"^(?:{_AREA_WORDS})")
# a special area whose name starts with no registry place ('雄安新区')
UNLISTED_AREA = re.compile(rf"^[\u4e00-\u9fff]{{2,8}}?(?:{_AREA_WORDS})")
# a township or street the registry does not list under that name (renamed, merged): kind from the suffix
TOWNSHIP_NAME = re.compile(r"^[\u4e00-\u9fff]{1,10}?(?:街道|镇|乡|苏木)(?=人民政府|政府|办事处|$)")
PRONOUN = re.compile(r"^(?:我|本|该)")
# the national line a vertically managed bureau names first ('国家税务总局平潭综合实验区税务局')
NATIONAL_LINE = re.compile(r"^国家税务总局(?=[\u4e00-\u9fff]{2})")
# where the name of a body ends after its place, in running text ('苍溪县农业农村局办公室联系' -> '农业农村局')
BODY_END = re.compile(
    r"(?:人民政府)?[\u4e00-\u9fff]{0,14}?(?:人民政府办公厅|人民政府办公室|人民政府|政府|街道办事处|办事处|管理委员会|管委会|"
    r"委员会|办公厅|办公室|局|委|中心|厅|署|院|所|站|队)")
# short forms of department names -> the full name, so both forms of one department share a key
DEPARTMENT_ALIASES = {
    "发改局": "发展和改革局", "发改委": "发展和改革委员会", "科委": "科学技术委员会", "科技局": "科学技术局",
    "国资局": "国有资产监督管理局", "国资委": "国有资产监督管理委员会", "文广新局": "文化广电新闻出版局",
    "人社局": "人力资源和社会保障局", "住建局": "住房和城乡建设局", "卫健委": "卫生健康委员会", "卫健局": "卫生健康局",
    "市监局": "市场监督管理局", "文旅局": "文化和旅游局", "交通局": "交通运输局", "应急局": "应急管理局",
    "医保局": "医疗保障局", "地税局": "地方税务局", "国税局": "国家税务局", "教体局": "教育和体育局",
    "农业局": "农业农村局", "农委": "农业委员会", "城管局": "城市管理局", "环保局": "环境保护局",
    "政务中心": "政务服务中心", "统计局": "统计局",
}


def department_type(words: str) -> str:
    """The department's canonical name ('区政府国资局' -> '国有资产监督管理局')."""
    words = GOVERNMENT_PREFIX.sub("", words)
    return DEPARTMENT_ALIASES.get(words, words)
