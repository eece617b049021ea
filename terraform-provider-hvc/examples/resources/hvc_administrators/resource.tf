# Authoritative: these groups and no others. Do not combine with
# hvc_administrator on the same vCenter.
resource "hvc_administrators" "all" {
  groups = [
    "Administrators@vsphere.local",
    "CloudAdmins@vsphere.local",
  ]
}
