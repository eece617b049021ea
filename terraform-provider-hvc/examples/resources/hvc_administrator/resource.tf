# One group; other groups are left alone. Do not combine with
# hvc_administrators on the same vCenter.
resource "hvc_administrator" "cloud_admins" {
  group_name = "CloudAdmins@vsphere.local"
}
