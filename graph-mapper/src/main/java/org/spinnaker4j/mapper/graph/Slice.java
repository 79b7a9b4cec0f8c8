package org.spinnaker4j.mapper.graph;

import java.util.ArrayList;
import java.util.List;

/** A half-open range [lo, hi) of indices into an activation vector. */
public record Slice(int lo, int hi) {

    public Slice {
        if (lo < 0 || hi <= lo) {
            throw new IllegalArgumentException("a slice needs 0 ≤ lo < hi, got [" + lo + ", " + hi + ")");
        }
    }

    public int size() {
        return hi - lo;
    }

    public boolean overlaps(Slice o) {
        return lo < o.hi && o.lo < hi;
    }

    /** The common part of two overlapping slices. */
    public Slice intersect(Slice o) {
        if (!overlaps(o)) {
            throw new IllegalArgumentException(this + " and " + o + " do not overlap");
        }
        return new Slice(Math.max(lo, o.lo), Math.min(hi, o.hi));
    }

    /** [0, n) cut into {@code parts} slices whose sizes differ by at most one. */
    public static List<Slice> split(int n, int parts) {
        if (parts < 1 || parts > n) {
            throw new IllegalArgumentException("cannot split " + n + " values into " + parts + " slices");
        }
        List<Slice> slices = new ArrayList<>(parts);
        int lo = 0;
        for (int k = 0; k < parts; k++) {
            int hi = (int) ((long) n * (k + 1) / parts);
            slices.add(new Slice(lo, hi));
            lo = hi;
        }
        return slices;
    }

    @Override
    public String toString() {
        return "[" + lo + "," + hi + ")";
    }
}
