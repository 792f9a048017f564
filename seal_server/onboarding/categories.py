"""Business categories: a fixed list, which an operator can replace with a file.

The file (SEAL_CATEGORIES_FILE, default instance/categories.txt) holds one
category a line: `code | Persian name | English name`.
"""
import os


DEFAULT = (
    ("general", "فروشگاه عمومی", "General store"),
    ("digital", "کالای دیجیتال", "Digital goods and electronics"),
    ("fashion", "پوشاک و مد", "Clothing and fashion"),
    ("books", "کتاب و لوازم التحریر", "Books and stationery"),
    ("food", "مواد غذایی", "Food and groceries"),
    ("health", "آرایشی، بهداشتی و سلامت", "Cosmetics, hygiene and health"),
    ("home", "خانه و آشپزخانه", "Home and kitchen"),
    ("services", "خدمات", "Services"),
    ("education", "آموزش", "Education"),
    ("travel", "گردشگری و سفر", "Travel and tourism"),
)


def load(config, instance_path):
    """[(code, fa, en)] from the operator's file when it exists, else the built-in list."""
    path = config.get("SEAL_CATEGORIES_FILE") or os.path.join(instance_path, "categories.txt")
    if not os.path.exists(path):
        return list(DEFAULT)
    categories = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            parts = [part.strip() for part in line.split("|")]
            if len(parts) == 3 and all(parts) and not parts[0].startswith("#"):
                categories.append(tuple(parts))
    return categories or list(DEFAULT)
