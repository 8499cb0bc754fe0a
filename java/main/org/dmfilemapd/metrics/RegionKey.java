package org.dmfilemapd.metrics;

/**
 * A region as it was listed: id, start and length in sectors. The kernel reuses a deleted
 * region's id at once, so the id alone does not say that two readings are of one region.
 */
public record RegionKey(long id, long start, long length) {
}
