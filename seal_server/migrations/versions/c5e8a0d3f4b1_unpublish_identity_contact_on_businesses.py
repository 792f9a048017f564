"""unpublish identity-step contact data copied onto businesses (gray seals skipped the contact step)

Revision ID: c5e8a0d3f4b1
Revises: b7d4f2a91c0e
Create Date: 2026-11-30 11:45:00

Businesses approved from an application took the owner's private home address, postal code
and landline whenever the application's contact step left them empty. A business's public
contact details are exactly its application's; where the application has none, none is shown.
Data only: there is nothing to put back on downgrade.
"""
from alembic import op


revision = 'c5e8a0d3f4b1'
down_revision = 'b7d4f2a91c0e'
branch_labels = None
depends_on = None

FIELDS = ('address', 'postal_code', 'landline')


def upgrade():
    for field in FIELDS:
        op.execute(
            f"UPDATE businesses SET {field} = NULL WHERE id IN "
            f"(SELECT business_id FROM applications WHERE business_id IS NOT NULL "
            f"AND ({field} IS NULL OR {field} = ''))"
        )


def downgrade():
    pass
