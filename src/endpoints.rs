//! The Kinesis Video control-plane endpoint for a region, as botocore's `kinesisvideo` endpoint
//! rule set resolves it: the region's partition gives the DNS suffix, FIPS and dual-stack pick
//! the host variant. Custom endpoints (`AWS_ENDPOINT_URL...`) are resolved in `settings`.

use regex_lite::Regex;

use crate::error::{Error, Result};

/// One row of botocore's `partitions.json`.
#[derive(Debug, PartialEq, Eq)]
pub struct Partition {
    pub name: &'static str,
    region_regex: &'static str,
    regions: &'static [&'static str],
    dns_suffix: &'static str,
    dual_stack_dns_suffix: &'static str,
}

/// In `partitions.json` order: the first partition that lists the region or whose pattern
/// matches it wins, and an unknown region falls back to `aws`, as in botocore.
const PARTITIONS: &[Partition] = &[
    Partition {
        name: "aws",
        region_regex: r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        regions: &["aws-global"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
    },
    Partition {
        name: "aws-cn",
        region_regex: r"^cn\-\w+\-\d+$",
        regions: &["aws-cn-global"],
        dns_suffix: "amazonaws.com.cn",
        dual_stack_dns_suffix: "api.amazonwebservices.com.cn",
    },
    Partition {
        name: "aws-eusc",
        region_regex: r"^eusc\-(de)\-\w+\-\d+$",
        regions: &[],
        dns_suffix: "amazonaws.eu",
        dual_stack_dns_suffix: "api.amazonwebservices.eu",
    },
    Partition {
        name: "aws-iso",
        region_regex: r"^us\-iso\-\w+\-\d+$",
        regions: &["aws-iso-global"],
        dns_suffix: "c2s.ic.gov",
        dual_stack_dns_suffix: "api.aws.ic.gov",
    },
    Partition {
        name: "aws-iso-b",
        region_regex: r"^us\-isob\-\w+\-\d+$",
        regions: &["aws-iso-b-global"],
        dns_suffix: "sc2s.sgov.gov",
        dual_stack_dns_suffix: "api.aws.scloud",
    },
    Partition {
        name: "aws-iso-e",
        region_regex: r"^eu\-isoe\-\w+\-\d+$",
        regions: &["aws-iso-e-global"],
        dns_suffix: "cloud.adc-e.uk",
        dual_stack_dns_suffix: "api.cloud-aws.adc-e.uk",
    },
    Partition {
        name: "aws-iso-f",
        region_regex: r"^us\-isof\-\w+\-\d+$",
        regions: &["aws-iso-f-global"],
        dns_suffix: "csp.hci.ic.gov",
        dual_stack_dns_suffix: "api.aws.hci.ic.gov",
    },
    Partition {
        name: "aws-us-gov",
        region_regex: r"^us\-gov\-\w+\-\d+$",
        regions: &["aws-us-gov-global"],
        dns_suffix: "amazonaws.com",
        dual_stack_dns_suffix: "api.aws",
    },
];

/// The partition a region belongs to (`aws` when nothing matches, as in botocore).
pub fn partition(region: &str) -> &'static Partition {
    PARTITIONS
        .iter()
        .find(|p| {
            p.regions.contains(&region)
                || Regex::new(p.region_regex)
                    .map(|re| re.is_match(region))
                    .unwrap_or(false)
        })
        .unwrap_or(&PARTITIONS[0])
}

/// The partition name for a region: `aws`, `aws-cn`, `aws-us-gov`, ...
pub fn partition_for_region(region: &str) -> &'static str {
    partition(region).name
}

/// The control-plane base URL: `https://kinesisvideo[-fips].{region}.{suffix}`, with the
/// dual-stack suffix when dual-stack is on. Every partition supports both variants.
pub fn control_plane_url(region: &str, use_fips: bool, use_dualstack: bool) -> Result<String> {
    if region.is_empty() {
        return Err(Error::config("Invalid Configuration: Missing Region"));
    }
    let partition = partition(region);
    let host = if use_fips {
        "kinesisvideo-fips"
    } else {
        "kinesisvideo"
    };
    let suffix = if use_dualstack {
        partition.dual_stack_dns_suffix
    } else {
        partition.dns_suffix
    };
    Ok(format!("https://{host}.{region}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hosts botocore's rule set produced for each partition (default, FIPS, dual-stack, both).
    #[test]
    fn hosts_follow_the_rule_set_for_every_partition() {
        let table = [
            ("us-east-1", "aws", "amazonaws.com", "api.aws"),
            ("us-west-2", "aws", "amazonaws.com", "api.aws"),
            ("eu-west-1", "aws", "amazonaws.com", "api.aws"),
            ("ap-southeast-5", "aws", "amazonaws.com", "api.aws"),
            (
                "cn-north-1",
                "aws-cn",
                "amazonaws.com.cn",
                "api.amazonwebservices.com.cn",
            ),
            ("us-gov-west-1", "aws-us-gov", "amazonaws.com", "api.aws"),
            ("us-iso-east-1", "aws-iso", "c2s.ic.gov", "api.aws.ic.gov"),
            (
                "us-isob-east-1",
                "aws-iso-b",
                "sc2s.sgov.gov",
                "api.aws.scloud",
            ),
            (
                "eu-isoe-west-1",
                "aws-iso-e",
                "cloud.adc-e.uk",
                "api.cloud-aws.adc-e.uk",
            ),
            (
                "us-isof-south-1",
                "aws-iso-f",
                "csp.hci.ic.gov",
                "api.aws.hci.ic.gov",
            ),
            (
                "eusc-de-east-1",
                "aws-eusc",
                "amazonaws.eu",
                "api.amazonwebservices.eu",
            ),
        ];
        for (region, partition, suffix, dual_suffix) in table {
            assert_eq!(partition_for_region(region), partition, "{region}");
            let url = |fips, dual| control_plane_url(region, fips, dual).unwrap();
            assert_eq!(
                url(false, false),
                format!("https://kinesisvideo.{region}.{suffix}")
            );
            assert_eq!(
                url(true, false),
                format!("https://kinesisvideo-fips.{region}.{suffix}")
            );
            assert_eq!(
                url(false, true),
                format!("https://kinesisvideo.{region}.{dual_suffix}")
            );
            assert_eq!(
                url(true, true),
                format!("https://kinesisvideo-fips.{region}.{dual_suffix}")
            );
        }
    }

    #[test]
    fn unknown_regions_fall_back_to_aws_like_botocore() {
        assert_eq!(partition_for_region("mars-east-1"), "aws");
        assert_eq!(
            control_plane_url("mars-east-1", false, false).unwrap(),
            "https://kinesisvideo.mars-east-1.amazonaws.com"
        );
        // `\w` does not cross `-`: us-gov is not matched by the aws pattern.
        assert_eq!(partition_for_region("us-gov-east-1"), "aws-us-gov");
        assert_eq!(partition_for_region("aws-cn-global"), "aws-cn");
    }

    #[test]
    fn a_missing_region_is_a_configuration_error() {
        let err = control_plane_url("", false, false).unwrap_err();
        assert_eq!(err.exit_code(), 253);
    }
}
