"""staff TOTP secrets encrypted at rest: staff.totp_secret (base32 in plain text) becomes
staff.totp_secret_enc, a Fernet token under a key derived from the newest SEAL_SECRET_KEYS entry

Revision ID: b7e5c2a91f04
Revises: 6970da166479
Create Date: 2026-11-30 15:20:00

Runs inside the Flask app (flask-migrate, `seal-server init-db`), so the app's SEAL_SECRET_KEYS
encrypt the existing rows; downgrade decrypts them with any listed key.
"""
from alembic import op
import sqlalchemy as sa

from seal_server import signing

revision = 'b7e5c2a91f04'
down_revision = '6970da166479'
branch_labels = None
depends_on = None

staff = sa.table('staff', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String),
                 sa.column('totp_secret_enc', sa.String))


def _rewrite(source, target, change):
    bind = op.get_bind()
    for row_id, value in bind.execute(sa.select(staff.c.id, staff.c[source])).all():
        bind.execute(staff.update().where(staff.c.id == row_id).values({target: change(value)}))


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret_enc', sa.String(length=255), nullable=True))
    _rewrite('totp_secret', 'totp_secret_enc', signing.seal_secret)
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('totp_secret_enc', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_column('totp_secret')


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
    _rewrite('totp_secret_enc', 'totp_secret', lambda sealed: signing.open_secret(sealed)[0])
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('totp_secret_enc')
