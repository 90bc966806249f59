-- The promotion rows of stores in scope: promo-lift lists no other store.
-- Reads: access, promo.
lift_scoped AS (
    SELECT *
    FROM lift_in_scope
    WHERE $scope_all OR store_id IN (SELECT store_id FROM access_stores)
)
