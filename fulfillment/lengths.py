"""Column widths shared by the models and the mapper, so that the mapper refuses (or trims) a
value before the database would reject the whole page over it."""

ORDER_TYPE = 10
DOCUMENT_NBR = 30
NOTE_ID = 40
CUSTOMER_ID = 60
CUSTOMER_REFERENCE = 100
SHIP_VIA = 60
WAREHOUSE = 60
ERP_STATUS = 40
INVENTORY_ID = 60
UOM = 20
# Free text: trimmed, never refused.
TEXT = 255
CITY = 100
STATE = 100
POSTAL_CODE = 40
COUNTRY = 60
EMAIL = 254
PHONE = 60
