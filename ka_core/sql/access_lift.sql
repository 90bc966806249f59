-- The promotion rows of stores in scope: promo-lift lists no other store.
-- Reads: access, promo_control.
lift_scoped AS (
    SELECT *
    FROM promo_lift
    WHERE $scope_all OR store_id IN (SELECT store_id FROM access_stores)
)
