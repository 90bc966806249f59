-- Who sees what (domain.md): the stores the user's scope selects, bound by
-- ka_core.access.Scope.params(). Deny by default: every list empty and
-- $scope_all false selects no store. `*` in a list means every value. Reads: nothing.
access_stores AS (
    SELECT store_id
    FROM stores
    WHERE $scope_all
       OR ((cardinality($scope_chains) > 0 OR cardinality($scope_regions) > 0)
           AND (cardinality($scope_chains) = 0 OR array_contains($scope_chains, '*')
                OR array_contains($scope_chains, chain))
           AND (cardinality($scope_regions) = 0 OR array_contains($scope_regions, '*')
                OR array_contains($scope_regions, region)))
       OR array_contains($scope_stores, '*')
       OR array_contains($scope_stores, store_id)
       OR array_contains($scope_managers, ka_manager)
)
