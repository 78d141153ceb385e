"""registry: people, employers, organisations, change log

Revision ID: 0001_registry
Revises:
Create Date: 2026-11-22

The first schema of the registry (issue 3), generated from jiuye.registry.schema and then frozen:
later changes to the schema need a new revision, never an edit of this one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_registry"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column(
            "row_key", sa.Text(), nullable=False, comment="natural key values as in files, joined by |"
        ),
        sa.Column("column_name", sa.String(length=64), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
        comment="变更记录",
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index("ix_change_log_table_name_row_key", ["table_name", "row_key"], unique=False)

    op.create_table(
        "districts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("district", sa.String(length=32), nullable=False, comment="区"),
        sa.Column("name", sa.Text(), nullable=False, comment="区名称"),
        sa.Column("admin_code", sa.String(length=6), nullable=False, comment="行政区划代码"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint("district", name="uq_districts_key"),
        comment="区",
    )
    op.create_table(
        "employers",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("credit_code", sa.String(length=18), nullable=False, comment="统一社会信用代码"),
        sa.Column("name", sa.Text(), nullable=False, comment="单位名称"),
        sa.Column("type", sa.String(length=32), nullable=False, comment="单位类型"),
        sa.Column("district", sa.String(length=32), nullable=False, comment="注册所在区"),
        sa.Column("town", sa.Text(), nullable=True, comment="所在街镇"),
        sa.Column("size", sa.String(length=32), nullable=False, comment="企业规模"),
        sa.Column("state_owned", sa.Boolean(), nullable=False, comment="国有企业"),
        sa.Column("industry", sa.Text(), nullable=True, comment="所属行业"),
        sa.Column("bank_account", sa.Text(), nullable=True, comment="银行账号"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("credit_code", name="uq_employers_key"),
        comment="用人单位",
    )
    op.create_table(
        "import_runs",
        sa.Column(
            "id", sa.String(length=64), nullable=False, comment="import id (written to created_by/updated_by)"
        ),
        sa.Column("table_name", sa.String(length=64), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("by_user", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.String(length=32), nullable=False, comment="running | committed | rejected | failed"
        ),
        sa.Column("rows_read", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_inserted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_rejected", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
        comment="导入记录",
    )
    op.create_table(
        "organizations",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("org_id", sa.Text(), nullable=False, comment="机构编号"),
        sa.Column("name", sa.Text(), nullable=False, comment="机构名称"),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="机构类型"),
        sa.Column("district", sa.String(length=32), nullable=False, comment="所在区"),
        sa.Column("town", sa.Text(), nullable=True, comment="所在街镇"),
        sa.Column("quality_certified", sa.Boolean(), nullable=True, comment="市级品质认证"),
        sa.Column("credit_code", sa.String(length=18), nullable=True, comment="统一社会信用代码"),
        sa.Column("bank_account", sa.Text(), nullable=True, comment="银行账号"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("org_id", name="uq_organizations_key"),
        comment="机构",
    )
    op.create_table(
        "persons",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("id_number", sa.String(length=18), nullable=False, comment="身份证号码"),
        sa.Column("name", sa.Text(), nullable=False, comment="姓名"),
        sa.Column("birth_date", sa.Date(), nullable=False, comment="出生日期"),
        sa.Column("gender", sa.String(length=32), nullable=False, comment="性别"),
        sa.Column("hukou_district", sa.String(length=32), nullable=True, comment="户籍所在区"),
        sa.Column("hukou_town", sa.Text(), nullable=True, comment="户籍所在街镇"),
        sa.Column("hukou_village", sa.Text(), nullable=True, comment="户籍所在村居委"),
        sa.Column("hukou_agricultural", sa.Boolean(), nullable=False, comment="原农业户籍"),
        sa.Column("origin_district", sa.String(length=32), nullable=True, comment="生源地"),
        sa.Column("phone", sa.Text(), nullable=True, comment="联系电话"),
        sa.Column("address", sa.Text(), nullable=True, comment="居住地址"),
        sa.Column("bank_account", sa.Text(), nullable=True, comment="银行账号"),
        sa.Column("died_on", sa.Date(), nullable=True, comment="死亡日期"),
        sa.Column("hukou_moved_out_on", sa.Date(), nullable=True, comment="户籍迁出日期"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("id_number", name="uq_persons_key"),
        comment="人员",
    )
    op.create_table(
        "towns",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("district", sa.String(length=32), nullable=False, comment="所属区"),
        sa.Column("name", sa.Text(), nullable=False, comment="街镇"),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="类型"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_towns")),
        sa.UniqueConstraint("district", "name", name="uq_towns_key"),
        comment="街镇",
    )
    op.create_table(
        "villages",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("district", sa.String(length=32), nullable=False, comment="所属区"),
        sa.Column("town", sa.Text(), nullable=False, comment="所属街镇"),
        sa.Column("name", sa.Text(), nullable=False, comment="村居委名称"),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="类型"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_villages")),
        sa.UniqueConstraint("district", "town", "name", name="uq_villages_key"),
        comment="村居委",
    )
    op.create_table(
        "certificates",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column("level", sa.String(length=32), nullable=False, comment="证书等级"),
        sa.Column("obtained_on", sa.Date(), nullable=False, comment="发证日期"),
        sa.Column(
            "training_institution_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="培训机构编号",
        ),
        sa.Column("occupation", sa.Text(), nullable=True, comment="职业（工种）"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_certificates_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["training_institution_id"],
            ["organizations.id"],
            name=op.f("fk_certificates_training_institution_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("person_id", "level", "obtained_on", name="uq_certificates_key"),
        comment="职业资格证书",
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_certificates_training_institution_id", ["training_institution_id"], unique=False
        )

    op.create_table(
        "contracts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column(
            "employer_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="用人单位统一社会信用代码",
        ),
        sa.Column("start", sa.Date(), nullable=False, comment="合同开始日期"),
        sa.Column("end", sa.Date(), nullable=True, comment="合同终止日期"),
        sa.Column("registered", sa.Boolean(), nullable=False, comment="已就业登记"),
        sa.Column(
            "referred_by_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="推荐机构编号",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_contracts_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_contracts_person_id_persons")),
        sa.ForeignKeyConstraint(
            ["referred_by_id"], ["organizations.id"], name=op.f("fk_contracts_referred_by_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("person_id", "employer_id", "start", name="uq_contracts_key"),
        comment="劳动合同",
    )
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.create_index("ix_contracts_employer_id", ["employer_id"], unique=False)
        batch_op.create_index("ix_contracts_referred_by_id", ["referred_by_id"], unique=False)

    op.create_table(
        "education",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column("level", sa.String(length=32), nullable=False, comment="学历"),
        sa.Column("full_time", sa.Boolean(), nullable=False, comment="全日制"),
        sa.Column("graduation_date", sa.Date(), nullable=False, comment="毕业日期"),
        sa.Column("school_district", sa.String(length=32), nullable=True, comment="院校所在区"),
        sa.Column("school", sa.Text(), nullable=True, comment="毕业院校"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_education_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_education")),
        sa.UniqueConstraint("person_id", "level", "graduation_date", name="uq_education_key"),
        comment="学历",
    )
    op.create_table(
        "flexible_employment",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column("registered_on", sa.Date(), nullable=False, comment="登记日期"),
        sa.Column("ended_on", sa.Date(), nullable=True, comment="终止日期"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_flexible_employment_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flexible_employment")),
        sa.UniqueConstraint("person_id", "registered_on", name="uq_flexible_employment_key"),
        comment="灵活就业登记",
    )
    op.create_table(
        "internships",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column(
            "base_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="见习基地编号",
        ),
        sa.Column("start", sa.Date(), nullable=False, comment="见习开始日期"),
        sa.Column("end", sa.Date(), nullable=False, comment="见习结束日期"),
        sa.Column("contract_signed_on", sa.Date(), nullable=True, comment="留用签约日期"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_id"], ["organizations.id"], name=op.f("fk_internships_base_id_organizations")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_internships_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internships")),
        sa.UniqueConstraint("person_id", "base_id", "start", name="uq_internships_key"),
        comment="就业见习",
    )
    with op.batch_alter_table("internships", schema=None) as batch_op:
        batch_op.create_index("ix_internships_base_id", ["base_id"], unique=False)

    op.create_table(
        "org_city_subsidies",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, comment="机构编号"
        ),
        sa.Column("year", sa.Integer(), nullable=False, comment="补贴年度"),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False, comment="补贴金额（元）"),
        sa.Column("granted_on", sa.Date(), nullable=False, comment="拨付日期"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_org_city_subsidies_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_city_subsidies")),
        sa.UniqueConstraint("org_id", "year", name="uq_org_city_subsidies_key"),
        comment="市级补贴",
    )
    op.create_table(
        "org_evaluations",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, comment="机构编号"
        ),
        sa.Column("year", sa.Integer(), nullable=False, comment="评估年度"),
        sa.Column("grade", sa.String(length=32), nullable=False, comment="评估等级"),
        sa.Column("published_on", sa.Date(), nullable=False, comment="公布日期"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_org_evaluations_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_evaluations")),
        sa.UniqueConstraint("org_id", "year", name="uq_org_evaluations_key"),
        comment="机构评估",
    )
    op.create_table(
        "org_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("event_id", sa.Text(), nullable=False, comment="活动编号"),
        sa.Column(
            "org_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="主办机构编号",
        ),
        sa.Column("name", sa.Text(), nullable=True, comment="活动名称"),
        sa.Column("held_on", sa.Date(), nullable=False, comment="举办日期"),
        sa.Column("cost_fen", sa.BigInteger(), nullable=False, comment="活动费用（元）"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_org_events_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_events")),
        sa.UniqueConstraint("event_id", name="uq_org_events_key"),
        comment="创业大赛",
    )
    with op.batch_alter_table("org_events", schema=None) as batch_op:
        batch_op.create_index("ix_org_events_org_id", ["org_id"], unique=False)

    op.create_table(
        "org_landings",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, comment="项目编号"
        ),
        sa.Column("registered_on", sa.Date(), nullable=False, comment="落地注册日期"),
        sa.Column("award_on", sa.Date(), nullable=False, comment="获奖日期"),
        sa.Column("approved_amount_fen", sa.BigInteger(), nullable=False, comment="核定金额（元）"),
        sa.Column("operating_normally", sa.Boolean(), nullable=False, comment="正常经营"),
        sa.Column("employs_jinshan_hukou", sa.Boolean(), nullable=False, comment="吸纳本区户籍人员"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_org_landings_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_landings")),
        sa.UniqueConstraint("org_id", name="uq_org_landings_key"),
        comment="创业项目落地",
    )
    op.create_table(
        "skill_evaluations",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column("level", sa.String(length=32), nullable=False, comment="评价等级"),
        sa.Column("date", sa.Date(), nullable=False, comment="评价日期"),
        sa.Column("fee_fen", sa.BigInteger(), nullable=False, comment="评价费用（元）"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_skill_evaluations_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_evaluations")),
        sa.UniqueConstraint("person_id", "level", "date", name="uq_skill_evaluations_key"),
        comment="技能评价",
    )
    op.create_table(
        "social_insurance",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column("month", sa.Date(), nullable=False, comment="缴费月份"),
        sa.Column(
            "employer_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="缴费单位统一社会信用代码",
        ),
        sa.Column("scheme", sa.String(length=32), nullable=False, comment="险种"),
        sa.Column("base_fen", sa.BigInteger(), nullable=False, comment="缴费基数（元）"),
        sa.Column("paid", sa.Boolean(), nullable=False, comment="已缴费"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_social_insurance_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_social_insurance_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_insurance")),
        comment="社会保险缴费",
    )
    with op.batch_alter_table("social_insurance", schema=None) as batch_op:
        batch_op.create_index("ix_social_insurance_employer_id", ["employer_id"], unique=False)
    # natural key with an optional employer: NULL employers compare equal through COALESCE
    op.create_index(
        "uq_social_insurance_key",
        "social_insurance",
        ["person_id", "month", sa.text("coalesce(employer_id, 0)"), "scheme"],
        unique=True,
    )

    op.create_table(
        "statuses",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="身份类别"),
        sa.Column("start", sa.Date(), nullable=False, comment="认定日期"),
        sa.Column("end", sa.Date(), nullable=True, comment="终止日期"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_statuses_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuses")),
        sa.UniqueConstraint("person_id", "kind", "start", name="uq_statuses_key"),
        comment="认定身份",
    )
    op.create_table(
        "unemployment_registrations",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="身份证号码",
        ),
        sa.Column("start", sa.Date(), nullable=False, comment="失业登记日期"),
        sa.Column("end", sa.Date(), nullable=True, comment="注销日期"),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_unemployment_registrations_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unemployment_registrations")),
        sa.UniqueConstraint("person_id", "start", name="uq_unemployment_registrations_key"),
        comment="失业登记",
    )
    op.create_table(
        "org_awards",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "event_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="活动编号",
        ),
        sa.Column("place", sa.Integer(), nullable=False, comment="名次"),
        sa.Column(
            "winner_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            comment="获奖机构编号",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["org_events.id"], name=op.f("fk_org_awards_event_id_org_events")
        ),
        sa.ForeignKeyConstraint(
            ["winner_id"], ["organizations.id"], name=op.f("fk_org_awards_winner_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_awards")),
        sa.UniqueConstraint("event_id", "place", "winner_id", name="uq_org_awards_key"),
        comment="大赛获奖",
    )
    with op.batch_alter_table("org_awards", schema=None) as batch_op:
        batch_op.create_index("ix_org_awards_winner_id", ["winner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("org_awards", schema=None) as batch_op:
        batch_op.drop_index("ix_org_awards_winner_id")

    op.drop_table("org_awards")
    op.drop_table("unemployment_registrations")
    op.drop_table("statuses")
    op.drop_index("uq_social_insurance_key", table_name="social_insurance")
    with op.batch_alter_table("social_insurance", schema=None) as batch_op:
        batch_op.drop_index("ix_social_insurance_employer_id")

    op.drop_table("social_insurance")
    op.drop_table("skill_evaluations")
    op.drop_table("org_landings")
    with op.batch_alter_table("org_events", schema=None) as batch_op:
        batch_op.drop_index("ix_org_events_org_id")

    op.drop_table("org_events")
    op.drop_table("org_evaluations")
    op.drop_table("org_city_subsidies")
    with op.batch_alter_table("internships", schema=None) as batch_op:
        batch_op.drop_index("ix_internships_base_id")

    op.drop_table("internships")
    op.drop_table("flexible_employment")
    op.drop_table("education")
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_index("ix_contracts_referred_by_id")
        batch_op.drop_index("ix_contracts_employer_id")

    op.drop_table("contracts")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index("ix_certificates_training_institution_id")

    op.drop_table("certificates")
    op.drop_table("villages")
    op.drop_table("towns")
    op.drop_table("persons")
    op.drop_table("organizations")
    op.drop_table("import_runs")
    op.drop_table("employers")
    op.drop_table("districts")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_table_name_row_key")

    op.drop_table("change_log")
