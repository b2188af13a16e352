"""PUT StockItem: items are keyed by their user-given InventoryID (no auto-numbering)."""

from __future__ import annotations

from .data import Record
from .writes import WriteContext, assign, differs

ITEM_STATUSES = frozenset(
    {"Active", "No Sales", "No Purchases", "No Request", "Inactive", "Marked for Deletion"}
)
READ_ONLY = frozenset({"LastModified", "LastModifiedDateTime", "NoteID"})


class StockItemWriter:
    record_name = "Stock Item"

    def new(self, w: WriteContext, body: dict) -> Record:
        item_id = w.data.new_id()
        return {
            "id": item_id,
            "NoteID": item_id,
            "ItemStatus": "Active",
            "ItemType": "Finished Good",
            "BaseUOM": "EA",
            "SalesUOM": "EA",
            "PurchaseUOM": "EA",
            "WeightUOM": w.data.lookups.weight_uom,
            "note": "",
        }

    def apply(self, w: WriteContext, item: Record, body: dict) -> None:
        inserted = w.inserting
        entity = w.schema.entities["StockItem"]
        writable = {f.name for f in entity.value_fields} - READ_ONLY
        if not inserted:
            writable.discard("InventoryID")
        assign(w, entity, item, body, writable, "Stock Item", inserted=inserted)
        if not item.get("InventoryID"):
            w.empty(item, "InventoryID", "Stock Item", inserted=inserted)
        if item.get("ItemStatus") not in ITEM_STATUSES:
            w.error(
                item,
                "ItemStatus",
                f"The value '{item.get('ItemStatus')}' is not in the list of allowed values.",
                "Stock Item",
                inserted=inserted,
            )
        warehouse = item.get("DefaultWarehouseID")
        if warehouse is not None and warehouse.upper() not in w.data.lookups.warehouses:
            w.not_found(item, "DefaultWarehouseID", "Stock Item", inserted=inserted)

    def save(self, w: WriteContext, item: Record, original: Record | None) -> Record:
        if original is None:
            item["LastModified"] = item["LastModifiedDateTime"] = w.now
            w.data.insert("StockItem", item)
        elif differs(item, original, READ_ONLY):
            item["LastModified"] = item["LastModifiedDateTime"] = w.now
            w.data.replace("StockItem", item)
        else:
            return original
        return item
