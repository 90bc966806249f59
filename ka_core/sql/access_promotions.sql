-- The promotions the scope sees (domain.md, "Who sees what"): those with a
-- row (a store of the chain, or the promotion's own store) in access_stores.
-- Named `promotions`, it stands for the table in the promotion queries that
-- follow, so they list only these; their sums still cover all their rows.
-- Reads: access.
promotions AS (
    SELECT p.*
    FROM main.promotions AS p
    WHERE $scope_all
       OR EXISTS (
           SELECT 1
           FROM stores AS s
           WHERE s.chain = p.chain
             AND (p.store_id IS NULL OR s.store_id = p.store_id)
             AND s.store_id IN (SELECT store_id FROM access_stores)
       )
)
