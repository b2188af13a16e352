"""The fixed reference data the seed draws from: warehouses, boxes, carriers, order types,
stock items and customers of a small distributor, and the mix of sales order statuses."""

from __future__ import annotations

from decimal import Decimal

D = Decimal

WAREHOUSES = {
    "WHOLESALE": {"Description": "Wholesale Warehouse", "DefaultLocation": "R1S1"},
    "RETAIL": {"Description": "Retail Warehouse", "DefaultLocation": "MAIN"},
    "EAST": {"Description": "East Coast Warehouse", "DefaultLocation": "A01"},
}
# BoxID → dimensions (inches) and limits; BoxID is at most 15 characters (CSBox).
BOXES = {
    "SMALL": {
        "Description": "Small box 10x8x4",
        "Length": 10,
        "Width": 8,
        "Height": 4,
        "BoxWeight": D("0.5"),
        "MaxWeight": 10,
    },
    "MEDIUM": {
        "Description": "Medium box 16x12x8",
        "Length": 16,
        "Width": 12,
        "Height": 8,
        "BoxWeight": D("1.0"),
        "MaxWeight": 30,
    },
    "LARGE": {
        "Description": "Large box 24x18x12",
        "Length": 24,
        "Width": 18,
        "Height": 12,
        "BoxWeight": D("1.8"),
        "MaxWeight": 70,
    },
    "ENVELOPE": {
        "Description": "Padded envelope",
        "Length": 12,
        "Width": 9,
        "Height": 1,
        "BoxWeight": D("0.1"),
        "MaxWeight": 2,
    },
}
SHIP_VIAS = {
    "UPSGROUND": {"Description": "UPS Ground", "Carrier": "UPS"},
    "FEDEX2DAY": {"Description": "FedEx 2Day", "Carrier": "FEDEX"},
    "FEDEXGROUND": {"Description": "FedEx Ground", "Carrier": "FEDEX"},
    "USPSPRIORITY": {"Description": "USPS Priority Mail", "Carrier": "USPS"},
    "LOCAL": {"Description": "Local delivery", "Carrier": None},
}
ORDER_TYPES = {
    "SO": {"Description": "Sales Order", "Behavior": "SO", "Active": True},
    "RM": {"Description": "RMA Order", "Behavior": "RM", "Active": True},
    "QT": {"Description": "Quote", "Behavior": "QT", "Active": True},
    "TR": {"Description": "Transfer", "Behavior": "TR", "Active": True},
    "IN": {"Description": "Invoice", "Behavior": "IN", "Active": True},
}
# (InventoryID, description, unit weight lb, unit volume ft3, price, default warehouse, status)
STOCK_ITEMS = [
    ("AACOMPUT01", "Acer laptop 14in", "4.2", "0.35", "899.00", "WHOLESALE", "Active"),
    ("AALEGO500", "Building bricks set 500 pieces", "2.1", "0.20", "49.99", "RETAIL", "Active"),
    ("BCHAIR-OAK", "Oak dining chair", "14.0", "4.00", "129.00", "WHOLESALE", "Active"),
    ("BLENDER700", "Blender 700W", "6.5", "0.60", "79.90", "EAST", "Active"),
    ("CABLE-USBC1M", "USB-C cable 1 m", "0.1", "0.01", "9.99", "RETAIL", "Active"),
    ("CANDLE-VAN", "Vanilla scented candle", "0.8", "0.05", "14.50", "EAST", "Active"),
    ("COFFEE-1KG", "Coffee beans 1 kg", "2.2", "0.10", "24.00", "EAST", "Active"),
    ("CONGRILL", "Contact grill", "9.0", "0.90", "119.00", "WHOLESALE", "Active"),
    ("DESKLAMP-LED", "LED desk lamp", "1.9", "0.30", "39.00", "RETAIL", "Active"),
    ("DUMBBELL-10", "Dumbbell 10 lb", "10.0", "0.15", "22.00", "WHOLESALE", "Active"),
    ("HDPHONE-BT", "Bluetooth headphones", "0.7", "0.08", "59.00", "RETAIL", "Active"),
    ("JACKET-M-BLU", "Rain jacket M blue", "1.1", "0.12", "89.00", "EAST", "Active"),
    ("KETTLE-STEEL", "Stainless steel kettle", "2.8", "0.40", "45.00", "EAST", "Active"),
    ("MUG-CERAMIC", "Ceramic mug 12 oz", "0.9", "0.03", "8.50", "RETAIL", "Active"),
    ("NOTEBOOK-A5", "A5 notebook dotted", "0.5", "0.02", "6.90", "RETAIL", "Active"),
    ("PAN-NONSTICK", "Non-stick frying pan 28 cm", "3.3", "0.25", "34.00", "WHOLESALE", "Active"),
    ("PILLOW-MEM", "Memory foam pillow", "2.5", "0.90", "42.00", "WHOLESALE", "Active"),
    ("PRINTER-INK", "Printer ink cartridge black", "0.3", "0.01", "27.00", "EAST", "Active"),
    ("RUG-WOOL-5X8", "Wool rug 5x8 ft", "18.0", "3.00", "249.00", "WHOLESALE", "Active"),
    ("SHOES-RUN-42", "Running shoes EU 42", "1.6", "0.30", "110.00", "EAST", "Active"),
    ("SOAP-LAV-6PK", "Lavender soap 6 pack", "1.4", "0.05", "18.00", "RETAIL", "Active"),
    ("SPEAKER-MINI", "Mini speaker", "0.9", "0.05", "35.00", "RETAIL", "Active"),
    ("TEA-GREEN-100", "Green tea 100 bags", "0.4", "0.03", "11.00", "EAST", "Active"),
    ("TENT-2P", "Two-person tent", "6.0", "1.20", "189.00", "WHOLESALE", "Active"),
    ("TOWEL-BATH", "Bath towel cotton", "1.3", "0.10", "19.00", "EAST", "Active"),
    ("WATCH-SPORT", "Sport watch", "0.3", "0.02", "199.00", "RETAIL", "Active"),
    ("YOGAMAT-6MM", "Yoga mat 6 mm", "2.4", "0.40", "29.00", "WHOLESALE", "Active"),
    ("OLDPHONE-X", "Discontinued phone model X", "0.5", "0.02", "299.00", "RETAIL", "Inactive"),
    ("SAMPLE-KIT", "Sales sample kit", "3.0", "0.30", "0.00", "WHOLESALE", "No Sales"),
]
CUSTOMERS = [
    ("ABCSTUDIOS", "ABC Studios Inc", "1200 Sunset Blvd", "Los Angeles", "CA", "90028", "US"),
    ("ALPHAOUTFIT", "Alpha Outfitters", "45 Pine Street", "Seattle", "WA", "98101", "US"),
    ("BEACHHOUSE", "Beach House Goods", "9 Ocean Drive", "Miami", "FL", "33139", "US"),
    ("CITYCAFE", "City Cafe Supplies", "300 Market St", "San Francisco", "CA", "94105", "US"),
    ("GOODFOOD", "Good Food One Ltd", "77 King Street", "Toronto", "ON", "M5H 1J9", "CA"),
    ("HOMEPLUS", "Home Plus Retail", "18 Elm Avenue", "Chicago", "IL", "60601", "US"),
    (
        "MAPLEHOME",
        "Maple Home Decor",
        "560 Rue Sainte-Catherine",
        "Montreal",
        "QC",
        "H3B 1B1",
        "CA",
    ),
    ("NORTHWIND", "Northwind Traders", "2 Harbor Way", "Boston", "MA", "02110", "US"),
    ("PEAKSPORTS", "Peak Sports Co", "88 Summit Rd", "Denver", "CO", "80202", "US"),
    ("THAMESLTD", "Thames Trading Ltd", "10 Strand", "London", "", "WC2N 5HR", "GB"),
    ("URBANLOFT", "Urban Loft Interiors", "415 Broadway", "New York", "NY", "10013", "US"),
    ("ZENWELL", "Zen Wellness", "12 Lotus Lane", "Austin", "TX", "78701", "US"),
]
SO_STATUSES = [
    ("Open", 40),
    ("On Hold", 8),
    ("Back Order", 7),
    ("Shipping", 10),
    ("Completed", 12),
    ("Canceled", 5),
    ("Credit Hold", 4),
    ("Pending Approval", 3),
    ("Awaiting Payment", 3),
    ("Pending Processing", 2),
    ("Rejected", 2),
    ("Invoiced", 4),
]
CUSTOMER_IDS = sorted(c[0] for c in CUSTOMERS)
SHIP_VIA_IDS = sorted(SHIP_VIAS)
WAREHOUSE_IDS = sorted(WAREHOUSES)
BOX_IDS = sorted(BOXES)
OTHER_TYPES = [("RM", "Open"), ("RM", "Completed"), ("QT", "Open"), ("TR", "Open"), ("IN", "Open")]
