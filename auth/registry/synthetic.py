"""The synthetic population and legal-person registry of Zhuzhou (株洲): a deterministic stream.

Obviously fake but valid: names from common surnames, GB 11643 ID numbers with Zhuzhou region
codes (4302xx) and correct check characters, households of 1–5 people at addresses on roads that
do not exist (示例路, 样例街 …), GB 32100 credit codes (91… companies, 92… sole traders) whose
legal representatives are adults of the registry. One seed gives the same registry every time.

Uniqueness without memory: an ID number is region + birth date + sequence + check, and the
sequence is a counter per (region, day, sex) kept in a 1.2 MB array; synthetic sequences stay at
or below 900, so hand-made people (auth.seed_registry.DEMO_PEOPLE, sequences 901–999) never
collide with them. A credit code's organisation code is "MA" + a bijective scramble of the
organisation's index; hand-made codes use "MD".
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from collections.abc import Iterator

from ..validators import USCC_CHARS, id_check_char, uscc_check_char
from .port import HouseholdMember, Org, Person

DEFAULT_SEED = 20240601

REGIONS = (
    ("430202", "荷塘区"),
    ("430203", "芦淞区"),
    ("430204", "石峰区"),
    ("430211", "天元区"),
    ("430212", "渌口区"),
    ("430223", "攸县"),
    ("430224", "茶陵县"),
    ("430225", "炎陵县"),
    ("430281", "醴陵市"),
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"  # the most common first
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋博文志建国庆东海峰亮成春晖"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英兰萍红燕梅琳雪婷倩颖琴云洁慧欣怡佳悦晨瑶琪萱妍思雨月"
ETHNICITIES = (("汉族", 0.92), ("土家族", 0.95), ("苗族", 0.97), ("侗族", 0.985), ("瑶族", 1.0))
ROADS = ("示例路", "示例一路", "示例二路", "样例街", "演示大道", "测试巷", "虚拟路", "模拟街")
INDUSTRIES = (
    ("餐饮", "餐饮服务；食品销售"),
    ("商贸", "日用百货、五金交电销售"),
    ("科技", "软件开发；信息技术咨询服务"),
    ("建材", "建筑材料销售"),
    ("物流", "普通货物道路运输；仓储服务"),
    ("服装", "服装鞋帽批发零售"),
    ("陶瓷", "日用陶瓷制品制造与销售"),
    ("农业", "农产品初加工；蔬菜种植"),
)
SHOPS = (
    ("小吃店", "餐饮服务"),
    ("便利店", "预包装食品零售"),
    ("理发店", "理发服务"),
    ("五金店", "五金产品零售"),
    ("水果店", "水果零售"),
)
BRANDS = "恒达瑞丰宏远鑫盛华信永泰金鹏嘉禾"

FIRST_DAY = dt.date(1930, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
ADULT_BY = (dt.date(2007, 12, 31) - FIRST_DAY).days  # born on or before: 18 in every year this data is used
_DATES = [FIRST_DAY + dt.timedelta(days=d) for d in range(DAYS)]
_ISO = [d.isoformat() for d in _DATES]
_COMPACT = [d.strftime("%Y%m%d") for d in _DATES]
YEAR = 365
HEADS_FROM, HEADS_UNTIL = (dt.date(1935, 1, 1) - FIRST_DAY).days, (dt.date(2003, 12, 31) - FIRST_DAY).days
PARENTS_FROM = (dt.date(1958, 1, 1) - FIRST_DAY).days  # heads born after this may live with a parent
MAX_PER_SLOT = 450  # sequences 001–900; 901–999 are the demo people's
SIZES = (1, 2, 3, 4, 5)
SIZE_WEIGHTS = (0.18, 0.45, 0.73, 0.91, 1.0)  # cumulative: households of 1–5 people, mean 2.7
ORG_BODY_SPACE = 31**6
STATUS_BY_ROLL = ((0.92, "active"), (0.98, "cancelled"), (1.0, "revoked"))


def org_code_check(body8: str) -> str:
    """The check character of a GB 11714 organisation code (its 9th character)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def credit_code(org_type: str, region: str, body8: str) -> str:
    """A GB 32100 code: 9 (market regulation) + 1 company | 2 sole trader + region + org code + check."""
    first17 = "9" + ("1" if org_type == "company" else "2") + region + body8 + org_code_check(body8)
    return first17 + uscc_check_char(first17)


class SyntheticRegistry:
    """The deterministic stream of households (and the organisations their adults represent)."""

    def __init__(self, people: int, orgs: int, seed: int = DEFAULT_SEED):
        self.people, self.orgs, self.seed = people, orgs, seed
        self.rng = random.Random(f"{seed}:people")
        self.org_rng = random.Random(f"{seed}:orgs")
        self.counters = array("H", bytes(2 * len(REGIONS) * DAYS * 2))
        self.made_people = self.made_orgs = 0
        self.org_multiplier = self.org_rng.randrange(1, ORG_BODY_SPACE)  # coprime with 31**6: index -> code is 1:1
        while self.org_multiplier % 31 == 0:
            self.org_multiplier += 1
        self.org_offset = self.org_rng.randrange(ORG_BODY_SPACE)

    # -- people ------------------------------------------------------------------------------

    def _id_number(self, region: int, day: int, sex: str) -> tuple[str, int]:
        """A fresh ID number and its birth day (moved a day on when that day's sequences are used up)."""
        while True:
            slot = (region * DAYS + day) * 2 + (sex == "F")
            count = self.counters[slot]
            if count < MAX_PER_SLOT:
                self.counters[slot] = count + 1
                first17 = REGIONS[region][0] + _COMPACT[day] + f"{2 * count + (1 if sex == 'M' else 2):03d}"
                return first17 + id_check_char(first17), day
            day = day + 1 if day + 1 < DAYS else 0

    def _given_name(self, sex: str) -> str:
        chars = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
        rng = self.rng
        if rng.random() < 0.3:
            return rng.choice(chars)
        return rng.choice(chars) + rng.choice(chars)

    def _member(self, surname, region, day, sex, ethnicity, relation) -> tuple:
        id_number, day = self._id_number(region, day, sex)
        return (surname + self._given_name(sex), id_number, sex, day, ethnicity, relation)

    def _household(self, size: int) -> tuple[str, list[tuple]]:
        rng = self.rng
        region = rng.randrange(len(REGIONS))
        street = f"{rng.choice(ROADS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
        address = f"湖南省株洲市{REGIONS[region][1]}{street}"
        roll = rng.random()
        ethnicity = next(name for name, upto in ETHNICITIES if roll < upto)
        head_sex = "M" if rng.random() < 0.6 else "F"
        head_day = rng.randint(HEADS_FROM, HEADS_UNTIL)
        head_surname, spouse_surname = rng.choice(SURNAMES), rng.choice(SURNAMES)
        members = [self._member(head_surname, region, head_day, head_sex, ethnicity, "户主")]
        if size >= 2:
            spouse_region = region if rng.random() < 0.7 else rng.randrange(len(REGIONS))
            spouse_sex = "F" if head_sex == "M" else "M"
            spouse_day = rng.randint(max(head_day - 5 * YEAR, 0), min(head_day + 5 * YEAR, ADULT_BY - 2 * YEAR))
            members.append(self._member(spouse_surname, spouse_region, spouse_day, spouse_sex, ethnicity, "配偶"))
        children = size - 2
        if children >= 1 and head_day > PARENTS_FROM and rng.random() < 0.3:
            parent_sex = "M" if rng.random() < 0.5 else "F"
            parent_surname = head_surname if parent_sex == "M" else rng.choice(SURNAMES)
            parent_day = rng.randint(max(head_day - 35 * YEAR, 0), head_day - 22 * YEAR)
            members.append(self._member(parent_surname, region, parent_day, parent_sex, ethnicity, "父母"))
            children -= 1
        child_surname = head_surname if head_sex == "M" else spouse_surname
        for _ in range(children):
            child_sex = "M" if rng.random() < 0.52 else "F"
            child_day = rng.randint(head_day + 20 * YEAR, min(head_day + 40 * YEAR, DAYS - 1))
            members.append(self._member(child_surname, region, child_day, child_sex, ethnicity, "子女"))
        return address, members

    def households(self) -> Iterator[tuple[int, list[Person], list[Org]]]:
        """(household number, its people, the organisations they represent), until N people and M orgs."""
        number = 0
        last_adult = None
        while self.made_people < self.people:
            roll = self.rng.random()
            size = next(s for s, upto in zip(SIZES, SIZE_WEIGHTS, strict=True) if roll < upto)
            size = min(size, self.people - self.made_people)
            address, members = self._household(size)
            people = _people_of(address, members)
            orgs = []
            for person, member in zip(people, members, strict=True):
                self.made_people += 1
                if member[3] <= ADULT_BY:
                    last_adult = person
                    while self.made_orgs < self.made_people * self.orgs // self.people:
                        orgs.append(self._org(person))
            if self.made_people == self.people:
                while self.made_orgs < self.orgs:
                    orgs.append(self._org(last_adult))
            yield number, people, orgs
            number += 1

    # -- organisations -----------------------------------------------------------------------

    def _org(self, rep: Person) -> Org:
        rng, index = self.org_rng, self.made_orgs
        self.made_orgs += 1
        company = (index + 1) * 2 // 9 > index * 2 // 9  # exactly 2 in 9: 100 k of 450 k
        region, district = REGIONS[rng.randrange(len(REGIONS))]
        value = (index * self.org_multiplier + self.org_offset) % ORG_BODY_SPACE
        body = "MA"
        for _ in range(6):
            value, digit = divmod(value, 31)
            body += USCC_CHARS[digit]
        roll = rng.random()
        status = next(name for upto, name in STATUS_BY_ROLL if roll < upto)
        road = f"湖南省株洲市{district}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        if company:
            industry, scope = rng.choice(INDUSTRIES)
            name = f"株洲{rng.choice(BRANDS)}{rng.choice(BRANDS)}示例{industry}有限公司"
            org_type = "company"
        else:
            shop, scope = rng.choice(SHOPS)
            name = f"{district}{rep.name[0]}记示例{shop}"
            org_type = "sole_trader"
        return Org(name, credit_code(org_type, region, body), org_type, rep.id_number, rep.name, road, scope, status)


def _people_of(address: str, members: list[tuple]) -> list[Person]:
    """Persons of one household; each lists the others, so the links run both ways."""
    links = [HouseholdMember(m[1], m[0], m[5]) for m in members]
    return [
        Person(
            name=name,
            id_number=id_number,
            sex=sex,
            birth_date=_ISO[day],
            ethnicity=ethnicity,
            household_address=address,
            relation=relation,
            household_members=tuple(link for j, link in enumerate(links) if j != i),
        )
        for i, (name, id_number, sex, day, ethnicity, relation) in enumerate(members)
    ]
