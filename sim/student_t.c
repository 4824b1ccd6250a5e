/* sim/student_t.c — the Student t quantile t_{0.975, dof} used for 95%
 * batch-means confidence intervals (declared in stats.h).
 *
 * Small dof come from a table (values computed to 12 digits from the
 * regularised incomplete beta function); above the table the
 * Cornish-Fisher expansion of t around the normal quantile is accurate to
 * better than 1e-6, far below what a confidence interval needs. */
#include "sim/stats.h"

#include <math.h>

static const double t975_table[] = {
    0.0, /* dof 0: unused */
    12.7062047362, 4.30265272975, 3.18244630528, 2.7764451052,
    2.57058183564, 2.44691185114, 2.36462425159, 2.3060041352,
    2.2621571628,  2.22813885199, 2.20098516009, 2.17881282967,
    2.16036865646, 2.14478668792, 2.13144954556, 2.11990529922,
    2.10981557783, 2.10092204024, 2.09302405441, 2.08596344727,
    2.07961384473, 2.0738730679,  2.06865761042, 2.06389856163,
    2.05953855275, 2.05552943864, 2.05183051648, 2.0484071418,
    2.04522964213, 2.0422724563,
};

#define T975_TABLE_MAX (sizeof t975_table / sizeof t975_table[0] - 1)

/* z_{0.975} of the standard normal distribution. */
#define Z975 1.959963984540054

/* Cornish-Fisher: t = z + g1/v + g2/v^2 + g3/v^3 + g4/v^4 (Abramowitz &
 * Stegun 26.7.5). */
static double t975_expansion(double v)
{
    const double z = Z975;
    const double z2 = z * z;
    const double z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    double g1 = (z3 + z) / 4;
    double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
    double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
    double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
    return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
}

double student_t975(unsigned dof)
{
    if (dof == 0)
        return INFINITY; /* no degrees of freedom: no finite interval */
    if (dof <= T975_TABLE_MAX)
        return t975_table[dof];
    return t975_expansion((double)dof);
}
