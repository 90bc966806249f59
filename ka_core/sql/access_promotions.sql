-- The promotions the scope sees (domain.md, "Who sees what"): those with a
-- row (a store of the chain, or the promotion's own store) in access_stores.
-- promo.sql lists only these (and sums all their rows); what describes the
-- market reads the table `promotions` itself: a store under any promotion,
-- seen or not, is no control store. Reads: access.
promotions_in_scope AS (
    SELECT p.*
    FROM promotions AS p
    WHERE $scope_all
       OR EXISTS (
           SELECT 1
           FROM stores AS s
           WHERE s.chain = p.chain
             AND (p.store_id IS NULL OR s.store_id = p.store_id)
             AND s.store_id IN (SELECT store_id FROM access_stores)
       )
)
